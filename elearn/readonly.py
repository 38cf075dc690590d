"""Views that only read: their queries run without a transaction.

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
refused before it reaches the database. Only views that never write may use it; a view
that records something (the module page's "Resume" point) keeps its transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from sqlalchemy import event

from elearn.extensions import db


class WriteInReadOnlyView(RuntimeError):
    """A view marked ``@reads_only`` tried to change the database (a programming error)."""


def _refuse_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        raise WriteInReadOnlyView(f"a @reads_only view tried to write: {statement[:80]}")


def reads_only(view: Callable) -> Callable:
    """Run ``view``'s queries in autocommit, one round trip each, and refuse its writes.

    On SQLite the view runs as without it: its transaction costs no round trip there.

    When the request's session has already begun a transaction (something queried before
    the view), the view runs in it, as without the decorator.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = db.session()
        # SQLite has no round trips to save: there the view keeps its transaction (and
        # its writes their atomicity); switching it cost ~0.3 ms a request, measured.
        if not session.in_transaction() and session.get_bind().dialect.name != "sqlite":
            connection = session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"})
            event.listen(connection, "before_cursor_execute", _refuse_writes)
        return view(*args, **kwargs)

    return wrapper
