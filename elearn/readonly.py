"""Views that only read (or write one statement): their queries run without a transaction.

Every request's session opens a transaction at its first query and rolls it back at the
end. On PostgreSQL that is a ``BEGIN`` and a ``ROLLBACK``, each a round trip: on the
certificate verification page, one query, they were two of three. And psycopg forgets
its prepared statements at every ``ROLLBACK``, so each query was parsed and planned
anew. Under ``@reads_only`` the session's connection is in DBAPI autocommit: one round
trip, and the lookup stays prepared on the connection.

For one query this changes nothing a reader can see. For several, each sees what was
committed when it starts, as on PostgreSQL at READ COMMITTED (the level elearn runs at)
inside a transaction too; only on SQLite a transaction would have kept one snapshot for
all of them. It would change writes (each statement committed on its
own, so a failure could leave half of a change), so a write under ``@reads_only`` is
refused before it reaches the database. ``@autocommit(max_writes=1)`` lets a view write
one statement, which is atomic on its own (the module page's "Resume" point).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from sqlalchemy import event

from elearn.extensions import db


class WriteInReadOnlyView(RuntimeError):
    """A view under ``@autocommit`` wrote more than it may (a programming error)."""


def _write_guard(max_writes: int) -> Callable:
    """A ``before_cursor_execute`` listener refusing the write past the ``max_writes``-th."""
    writes = 0

    def guard(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal writes
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            writes += 1
            if writes > max_writes:
                raise WriteInReadOnlyView(
                    f"an @autocommit view may write {max_writes} statement(s), "
                    f"not more: {statement[:80]}")

    return guard


def autocommit(*, max_writes: int) -> Callable[[Callable], Callable]:
    """Run a view's queries in autocommit, one round trip each, and let it write at most
    ``max_writes`` statements.

    A single statement is atomic on its own, so a view whose only write is one UPDATE
    (the module page's "Resume" point) loses nothing by committing it at once; a second
    write would make a change that a failure could leave half done, and is refused
    before it reaches the database.

    On SQLite the view runs as without it: its transaction costs no round trip there.
    When the request's session has already begun a transaction (something queried before
    the view), the view runs in it, as without the decorator; after the view commits, its
    next query begins one too (the session takes a new connection).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            _switch_to_autocommit(max_writes)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def reads_from_here() -> None:
    """The request's next queries, until it ends, only read: in autocommit, as under
    ``@reads_only``. For the reads a view makes after its commit (the registration
    API's seat counts): otherwise each opens a transaction only to roll it back, two
    round trips on PostgreSQL for one query."""
    _switch_to_autocommit(0)


def _switch_to_autocommit(max_writes: int) -> None:
    session = db.session()
    # SQLite has no round trips to save: there the view keeps its transaction (and its
    # writes their atomicity); switching cost ~0.3 ms a request, measured.
    if not session.in_transaction() and session.get_bind().dialect.name != "sqlite":
        connection = session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        event.listen(connection, "before_cursor_execute", _write_guard(max_writes))


#: Views that never write: verification, the Open Badges assertion.
reads_only = autocommit(max_writes=0)
