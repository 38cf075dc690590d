"""``@reads_only`` views run their queries without a transaction and cannot write."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from config import TestConfig
from elearn import create_app
from elearn.accounts.models import User
from elearn.extensions import db
from elearn.readonly import autocommit, reads_only


def _in_transaction_after_a_query() -> bool:
    """Whether the driver holds an open transaction after the view's first query."""
    db.session.execute(select(func.count(User.id))).scalar_one()
    raw = db.session.connection().connection.dbapi_connection
    if db.engine.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus

        return raw.info.transaction_status != TransactionStatus.IDLE
    return raw.isolation_level is not None  # sqlite3: None is autocommit


@pytest.fixture
def probe_app(app):
    """A fresh app on the suite's database, with probe views added before any request."""
    application = create_app(TestConfig,
                             SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @application.get("/_probe/plain")
    def plain():
        return {"in_transaction": _in_transaction_after_a_query()}

    @application.get("/_probe/read")
    @reads_only
    def read():
        return {"in_transaction": _in_transaction_after_a_query()}

    @application.get("/_probe/write")
    @reads_only
    def write():
        db.session.add(User(email="w@example.org", name="W", password_hash="x",
                            country="KE"))
        db.session.commit()
        return {}

    @application.get("/_probe/one-write")
    @autocommit(max_writes=1)
    def one_write():
        in_transaction = _in_transaction_after_a_query()
        db.session.add(User(email="one@example.org", name="One", password_hash="x",
                            country="KE"))
        db.session.commit()
        return {"in_transaction": in_transaction}

    @application.get("/_probe/two-writes")
    @autocommit(max_writes=1)
    def two_writes():
        for n in (1, 2):
            db.session.add(User(email=f"two{n}@example.org", name="Two", password_hash="x",
                                country="KE"))
            db.session.flush()
        db.session.commit()
        return {}

    @application.get("/_probe/late")
    def late():
        db.session.execute(text("SELECT 1"))
        return reads_only(lambda: {"in_transaction": _in_transaction_after_a_query()})()

    yield application
    with application.app_context():
        db.engine.dispose()


def test_a_plain_view_queries_in_a_transaction(probe_app):
    assert probe_app.test_client().get("/_probe/plain").get_json() == {
        "in_transaction": True}


def test_a_read_only_view_queries_outside_one_on_postgresql(app, probe_app):
    # SQLite keeps the transaction: no round trips to save there.
    expected = app.config["DB_BACKEND"] == "sqlite"
    assert probe_app.test_client().get("/_probe/read").get_json() == {
        "in_transaction": expected}


def test_a_read_only_view_that_began_late_keeps_the_transaction(probe_app):
    assert probe_app.test_client().get("/_probe/late").get_json() == {
        "in_transaction": True}


def test_a_write_in_a_read_only_view_is_refused_and_nothing_is_written(app, probe_app):
    if app.config["DB_BACKEND"] == "sqlite":
        pytest.skip("on SQLite @reads_only keeps the transaction, so writes stay atomic")
    # A programming error: the error page, and the database untouched.
    assert probe_app.test_client().get("/_probe/write").status_code == 500
    with probe_app.app_context():
        assert db.session.execute(
            select(func.count(User.id)).where(User.email == "w@example.org")
        ).scalar_one() == 0


def _users(app, pattern: str) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count(User.id)).where(User.email.like(pattern))).scalar_one()


def test_a_view_allowed_one_write_writes_it_outside_a_transaction(app, probe_app):
    answer = probe_app.test_client().get("/_probe/one-write")
    assert answer.status_code == 200
    assert answer.get_json() == {"in_transaction": app.config["DB_BACKEND"] == "sqlite"}
    assert _users(probe_app, "one@example.org") == 1


def test_a_second_write_in_a_one_write_view_is_refused(app, probe_app):
    if app.config["DB_BACKEND"] == "sqlite":
        pytest.skip("on SQLite @autocommit keeps the transaction, so writes stay atomic")
    # Two statements in autocommit could leave half of a change: the second is refused
    # before it reaches the database (the first, atomic on its own, is committed).
    assert probe_app.test_client().get("/_probe/two-writes").status_code == 500
    assert _users(probe_app, "two2@example.org") == 0
