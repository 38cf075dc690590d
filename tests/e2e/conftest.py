"""Browser journeys: the app served by gunicorn on loopback, driven by Debian's Chromium.

Skips, saying why, where /usr/bin/chromium (or Playwright) is missing; CI installs both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ELEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    database_url: str
    mail_dir: Path
    env: dict = field(repr=False)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a flask CLI command against the server's database."""
        result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def deliver_mail(self) -> list[EmailMessage]:
        """Send what the outbox holds (to .eml files) and return every message so far."""
        self.flask("mail", "deliver")
        return [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(self.mail_dir.glob("*.eml"))]

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.deliver_mail() if m["To"] == address]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    database_url = f"sqlite:///{tmp / 'live.db'}"
    env = dict(
        os.environ,
        FLASK_APP="wsgi.py",
        ELEARN_CONFIG="development",
        DATABASE_URL=database_url,
        BASE_URL=f"http://127.0.0.1:{port}",
        MAIL_SERVER="",
        MAIL_FILE_DIR=str(tmp / "mail"),
        SECRET_KEY="e2e-secret-key-not-for-production",
        PASSWORD_HASH_METHOD="scrypt:16384:8:1",
    )
    server = LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url,
                        mail_dir=tmp / "mail", env=env)
    server.flask("db", "upgrade")
    if server.flask("content", "--help", check=False).returncode == 0:
        server.flask("content", "sync")
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", "2",
         "--worker-class", "gthread", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(server.url, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium "
                    "(CI does) to run the browser journeys")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  timezone_id="Africa/Nairobi")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def world(live_server, browser):
    """The live site filled for the accessibility audits (see tests/e2e/a11y.py)."""
    from tests.e2e.a11y import build_world

    return build_world(live_server, browser)


@pytest.fixture
def axe():
    """For tests that run axe-core: skip, saying how to get it, where it is missing."""
    from tests.e2e.a11y import require_axe

    require_axe()
