"""The ceiling: a bare Flask "hello world", served by the same gunicorn settings as elearn.

``gunicorn bench.hello:app``. Every throughput figure is also given as a share of what
this app reaches in the same run, on the same machine.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
