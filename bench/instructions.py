"""Instructions per request, counted by callgrind: a figure that does not drift with the
machine, for comparing two commits where a rate would be lost in the noise.

    python -m bench.seed --database-url sqlite:////tmp/small.db --scale 0.1
    python -m bench.instructions --database-url sqlite:////tmp/small.db module verification hello

Each page is asked for through the app's WSGI callable in one process (no server, no
load generator, rate limits on as in production): a warm-up, then ``--requests`` more,
counted. They run inside ``functools.reduce``, so callgrind's ``--toggle-collect`` counts
those requests and nothing else (imports, seeding, warm-up). A run takes a minute or two
per page: callgrind runs Python some fifty times slower. Needs Debian's ``valgrind``.
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.servers import ROOT, child_env

#: What can be counted: the bench's own pages, and the ceiling.
PAGES = ("hello", "module", "verification", "catalogue", "course", "webinars")
#: The signed-in reader's pages; the others are asked for as a visitor.
SIGNED_IN = ("module",)
#: Served over HTTPS in production: the session cookie is marked Secure.
BASE_URL = "https://127.0.0.1"


def _environ(path: str, cookie: str, user_agent: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie,
        "HTTP_USER_AGENT": user_agent,
    }


def _signed_in_cookie(app) -> tuple[str, str]:
    """(cookie, user agent) of the bench learner, signed in through the login form."""
    from bench import seed

    client = app.test_client()
    page = client.get("/login", base_url=BASE_URL)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    answer = client.post("/login", base_url=BASE_URL, headers={"Referer": BASE_URL + "/login"},
                         data={"csrf_token": token.group(1).decode(),
                               "email": seed.LEARNER_EMAIL, "password": seed.PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: status {answer.status_code}")
    # The page it leads to takes the "signed in" message out of the session.
    followed = client.get(answer.headers["Location"], base_url=BASE_URL)
    cookie = client.get_cookie("session", domain="127.0.0.1")
    return f"session={cookie.value}", followed.request.headers.get("User-Agent", "")


def _count_inside(database_url: str, page: str, requests: int) -> None:
    """The measured process: ask for ``page`` ``requests`` times inside reduce."""
    if page == "hello":
        from bench.hello import app
        path, cookie, agent = "/", "", ""
    else:
        from bench.run import targets
        from wsgi import app
        path = targets(database_url)[page]
        cookie, agent = _signed_in_cookie(app) if page in SIGNED_IN else ("", "")
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"] = status

    def one(_done=None, _n=None):
        body = app(_environ(path, cookie, agent), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    for _ in range(max(requests, 50)):
        one()
    if not answered["status"].startswith("200"):
        raise RuntimeError(f"{page} ({path}) answers {answered['status']}")
    functools.reduce(one, range(requests), None)


def count(database_url: str, page: str, requests: int) -> float:
    """Instructions per request of ``page``, from a callgrind run of this module."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("bench.instructions needs valgrind: sudo apt-get install -y valgrind")
    env = child_env(database_url, RATELIMIT_VERIFY="1000000 per minute")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.run(
            [valgrind, "--tool=callgrind", "--collect-atstart=no",
             "--toggle-collect=functools_reduce", f"--callgrind-out-file={out}",
             sys.executable, "-m", "bench.instructions", "--inside", page,
             "--database-url", database_url, "--requests", str(requests)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if run.returncode != 0:
            raise SystemExit(f"{page}: the counted process failed:\n{run.stderr[-3000:]}")
        totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE)
    return int(totals.group(1)) / requests


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", metavar="page",
                        help=f"what to count, of {', '.join(PAGES)} "
                             "(default: hello, module, verification)")
    parser.add_argument("--database-url", required=True, help="a seeded database (bench.seed)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--inside", choices=PAGES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    if args.inside:
        os.environ.setdefault("DATABASE_URL", args.database_url)
        _count_inside(args.database_url, args.inside, args.requests)
        return
    for page in args.pages or ["hello", "module", "verification"]:
        print(f"{page:<14} {count(args.database_url, page, args.requests) / 1e6:6.2f} M "
              f"instructions per request", flush=True)


if __name__ == "__main__":
    main()
