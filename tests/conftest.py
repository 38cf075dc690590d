"""Shared fixtures.

Tests that use ``app`` run once per database backend: SQLite always, PostgreSQL too when
ELEARN_TEST_DATABASE_URL is set (CI sets it). Every table is emptied after each test, so
tests may commit, use threads and start processes like the real application does.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from config import TestConfig
from elearn import create_app
from elearn.extensions import db as _db


class IsolatedClient(FlaskClient):
    """Runs each request in a context of its own, as a real server does.

    Without this, a request would reuse the test's app context, sharing ``g`` (the
    signed-in user) and the database session between requests and test clients.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _compile_catalogues() -> None:
    """Compile the .po catalogues when their .mo is missing or older (make does it too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "elearn" / "translations"
    for po in root.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            with mo.open("wb") as out:
                write_mo(out, catalog)


_compile_catalogues()

PG_URL = os.environ.get("ELEARN_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _reset_schema(app) -> None:
    with app.app_context():
        _db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        _db.session.commit()
        _db.drop_all()
        _db.create_all()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"app-{request.param}")
    url = f"sqlite:///{tmp / 'test.db'}" if request.param == "sqlite" else PG_URL
    application = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=url, MAIL_FILE_DIR=str(tmp / "mail")
    )
    application.config["DB_BACKEND"] = request.param
    application.test_client_class = IsolatedClient
    _reset_schema(application)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def _empty_tables() -> None:
    _db.session.rollback()
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (our table names)
    _db.session.commit()


@pytest.fixture
def db(app) -> Iterator:
    """The database inside an app context; emptied after the test."""
    from elearn.extensions import limiter

    limiter.reset()
    with app.app_context():
        yield _db
        _db.session.remove()
        _empty_tables()
        _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make_user(db):
    """Create a verified user: make_user(role="trainer", email=..., password=...)."""
    from elearn.accounts.services import create_user

    counter = {"n": 0}

    def factory(**fields):
        counter["n"] += 1
        defaults = {
            "email": f"person{counter['n']}@example.org",
            "name": f"Person {counter['n']}",
            "password": "correct horse battery",
            "country": "KE",
            "organisation": "Kenya Revenue Authority",
            "verified": True,
        }
        defaults.update(fields)
        user = create_user(**defaults)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def login(client):
    """login(user, password="correct horse battery") signs the test client in."""

    def do_login(user, password: str = "correct horse battery"):
        response = client.post(
            "/login", data={"email": user.email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login


@pytest.fixture
def api_token(db):
    """api_token(user) -> a Bearer header dict for that user."""
    from elearn.accounts.services import create_api_token

    def make(user) -> dict[str, str]:
        _, plain = create_api_token(user, "tests")
        db.session.commit()
        return {"Authorization": f"Bearer {plain}"}

    return make


# -- a real SMTP server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    """What the aiosmtpd test server received."""

    def __init__(self):
        self._lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def _smtp_controller():
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, sink
    controller.stop()


@pytest.fixture
def smtp_server(app, _smtp_controller):
    """Point the app's mail at a real SMTP server on loopback; yields its sink."""
    controller, sink = _smtp_controller
    sink.messages.clear()
    sink.refuse.clear()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield sink
    app.config.update(saved)


@contextlib.contextmanager
def statements(db):
    """The SQL statements sent while the block runs, and where each transaction ended."""
    sent: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    def commit(conn):
        sent.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "commit", commit)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "commit", commit)


def mail_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
