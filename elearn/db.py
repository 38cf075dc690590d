"""The declarative base, shared column helpers and time helpers."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones: without this, values come back naive and comparisons
    with aware datetimes fail. Naive values given to it are refused, so nothing local
    slips into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def insert_once(session: Session, model, values: dict, keys: list[str]) -> int | None:
    """``INSERT ... ON CONFLICT (keys) DO NOTHING RETURNING id``: the new row's id, or None
    when a row with the same keys exists already (or another transaction is committing
    one right now).

    The one way to make "create it unless it exists" safe when two requests do it at the
    same moment: SQLite and PostgreSQL both make the second insert wait for the first
    transaction to end and then skip the row, so neither fails with an IntegrityError and
    no savepoint is needed inside the caller's transaction. ``keys`` name the columns of a
    unique constraint of ``model``; the caller reads the existing row when None comes back.
    Flushes nothing else: pending ORM changes should be flushed first if they matter.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - elearn runs on SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database: {dialect}")
    statement = (
        insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
        .returning(model.id)
    )
    return session.execute(statement).scalar_one_or_none()


class TimestampMixin:
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the row was last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers work while one writer writes; foreign keys are off by default."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Where a pooled connection's ``info`` holds when it was last given back (monotonic s).
_CHECKED_IN = "elearn.checked_in"


def ping_after_idle(engine: Engine, seconds: float) -> None:
    """Make ``engine``'s pool ping a connection before lending it out only when it has sat
    unused for more than ``seconds``.

    ``pool_pre_ping`` pings on every checkout: on PostgreSQL that is one more round trip
    per request, a quarter of those of a one-query page. A connection given back a moment
    ago is as alive as one just pinged, except when the server went away in that moment,
    which fails the requests running then anyway. The ones that sit idle are the ones a
    restart, a failover or a firewall's idle timeout leaves dead, and those are pinged:
    a dead one is replaced before the request sees it (``DisconnectionError`` makes the
    pool connect anew). A connection found dead in use is handled by SQLAlchemy itself:
    that request fails and the whole pool is renewed.
    """

    @event.listens_for(engine, "checkin")
    def _given_back(dbapi_connection, connection_record) -> None:
        if dbapi_connection is not None:
            connection_record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent_out(dbapi_connection, connection_record, connection_proxy) -> None:
        given_back = connection_record.info.get(_CHECKED_IN)
        # None: connected for this checkout (``info`` goes with the DBAPI connection).
        if given_back is None or time.monotonic() - given_back <= seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError(str(error)) from error
            raise
