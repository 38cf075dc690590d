"""Serving the app the way production does: gunicorn, gthread workers, no control socket.

Every server, load generator and scheduler is a child process; each is stopped by its
own process id when its benchmark ends.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

#: One process per core, two threads each: the work is Python, so a second thread only
#: overlaps database round trips. Measured on 2 cores (SQLite and PostgreSQL, every page
#: and the registration burst): 2 x 2 gave the throughput of 2 x 4 and 2 x 8 with p99
#: latencies a half to a third of theirs (more threads queue for the interpreter lock).
#: GUNICORN_WORKERS / GUNICORN_THREADS override.
WORKERS = int(os.environ.get("GUNICORN_WORKERS", str(os.cpu_count() or 2)))
THREADS = int(os.environ.get("GUNICORN_THREADS", "2"))


def gunicorn_command(target: str, port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
            "--workers", str(WORKERS), "--threads", str(THREADS), "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of every child: this checkout first on the path, production config."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT), FLASK_APP="wsgi.py", ELEARN_CONFIG="production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", secrets.token_hex(16)),
        RATELIMIT_ENABLED="true", SCHEDULER_IN_PROCESS="false",
    )
    env.pop("MAIL_SERVER", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def wait_ready(port: int, path: str, process: subprocess.Popen, log: Path,
               timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log}:\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            status, _h, _b = request(port, "GET", path)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} not ready after {timeout} s; see {log}")


@contextmanager
def serve(target: str, env: dict[str, str], name: str, ready_path: str = "/healthz"):
    """Run ``gunicorn target`` until the block ends."""
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"{name}.log"
    env = dict(env, BASE_URL=f"http://127.0.0.1:{port}")
    with open(log, "wb") as out:
        process = subprocess.Popen(gunicorn_command(target, port), cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(port, ready_path, process, log)
        yield Server(process, port, log)
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def session_cookie(headers) -> str | None:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def login(port: int, email: str, password: str) -> str:
    """Sign in through the login form; the ``session=...`` cookie of the signed-in user."""
    status, headers, body = request(port, "GET", "/login")
    cookie = session_cookie(headers)
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', body)
    if status != 200 or not match or not cookie:
        raise RuntimeError(f"login form: status {status}, no CSRF token or session cookie")
    form = urlencode({"csrf_token": match.group(1).decode(), "email": email,
                      "password": password}).encode()
    status, headers, _body = request(port, "POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    cookie = session_cookie(headers)
    if status != 302 or not cookie:
        raise RuntimeError(f"login failed: status {status}")
    # Follow the redirect as a browser does: the page it leads to shows the "signed in"
    # message and takes it out of the session. Replaying the first cookie instead would
    # carry that message into every measured request.
    location = urlsplit(dict((k.lower(), v) for k, v in headers).get("location", "/"))
    path = (location.path or "/") + (f"?{location.query}" if location.query else "")
    _status, headers, _body = request(port, "GET", path, headers={"Cookie": cookie})
    return session_cookie(headers) or cookie


# -- where the CPU goes ------------------------------------------------------------------


def _cpu_ticks(pid: int) -> int:
    """User + system clock ticks of one live process (its own, not its children's)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _pids_where(match) -> list[int]:
    pids = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if match(int(entry), parent, command):
            pids.append(int(entry))
    return pids


class CpuMeter:
    """CPU seconds spent by the app server (gunicorn and its workers) and by PostgreSQL
    between ``start()`` and ``stop()``, and by the whole machine.

    A rate on a shared, noisy machine moves with its neighbours; the CPU a piece of work
    takes moves much less, and says what a rate goal would need (read from /proc; zeros
    where there is none).
    """

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def _sample(self) -> dict[str, int]:
        server = _pids_where(lambda pid, parent, _c: self.server_pid in (pid, parent))
        database = _pids_where(lambda _p, _parent, command: command.startswith("postgres"))
        try:
            with open("/proc/stat") as handle:
                parts = [int(x) for x in handle.readline().split()[1:8]]
            machine = sum(parts) - parts[3] - parts[4]  # all but idle and iowait
        except OSError:
            machine = 0
        return {"server": sum(map(_cpu_ticks, server)),
                "database": sum(map(_cpu_ticks, database)), "machine": machine}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {key: (after[key] - self.before[key]) / self.ticks for key in after}
