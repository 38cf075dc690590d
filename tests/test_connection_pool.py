"""Pooled connections are pinged only after sitting idle, and a dead one is replaced
before a request sees it (``elearn.db.ping_after_idle``)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from config import TestConfig
from elearn import create_app
from elearn.db import ping_after_idle
from elearn.extensions import db

IDLE = 0.05


def _pid(connection) -> int | None:
    if connection.dialect.name == "postgresql":
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return None


def _kill(url: str, raw, pid: int | None) -> None:
    """End a pooled connection behind the pool's back, as a server restart does."""
    if pid is None:
        raw.close()
        return
    killer = create_engine(url)
    with killer.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()


@pytest.fixture
def engine(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, pool_size=1, max_overflow=0)
    ping_after_idle(engine, IDLE)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch):
    seen = []
    real = engine.dialect.do_ping

    def counting(dbapi_connection):
        seen.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return seen


def test_a_connection_given_back_a_moment_ago_is_not_pinged(engine, pings):
    for _ in range(3):
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    assert pings == []


def test_a_connection_idle_for_longer_is_pinged_once(engine, pings):
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    time.sleep(IDLE * 2)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert len(pings) == 1


def test_a_dead_idle_connection_is_replaced_before_use(app, engine, pings):
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        pid = _pid(connection)
    _kill(app.config["SQLALCHEMY_DATABASE_URI"], raw, pid)
    time.sleep(IDLE * 2)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
        assert connection.connection.dbapi_connection is not raw
        if pid is not None:
            assert _pid(connection) != pid
    assert len(pings) == 1


def test_the_app_replaces_a_dead_postgresql_connection(app):
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("SQLite files are never pinged: a file does not drop a connection")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url,
                             DATABASE_PING_AFTER_IDLE=IDLE)
    with application.app_context():
        pid = _pid(db.session.connection())
        db.session.remove()
        _kill(url, None, pid)
        time.sleep(IDLE * 2)
        assert _pid(db.session.connection()) != pid
        db.session.remove()
        db.engine.dispose()


def test_ping_after_idle_zero_pings_every_checkout_and_sqlite_never(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url,
                             DATABASE_PING_AFTER_IDLE=0)
    with application.app_context():
        expected = app.config["DB_BACKEND"] == "postgresql"
        assert bool(db.engine.pool._pre_ping) is expected
        db.engine.dispose()
