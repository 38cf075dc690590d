"""The lock that serialises every change to a webinar's seats.

Every change to a webinar's registrations (and to what they depend on: capacity, time,
cancellation) starts with :func:`lock_webinar`, whose UPDATE of the webinar row is the
lock: PostgreSQL holds the row lock until commit, SQLite holds its single writer lock.
Counting seats after it, inside the same transaction, is therefore exact however many
requests arrive at once, and capacity is never exceeded.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from elearn.extensions import db
from elearn.webinars.errors import WebinarNotFound
from elearn.webinars.models import Registration, RegistrationStatus, Webinar


def lock_webinar(webinar_id: int) -> Webinar:
    """Take the webinar's registration lock and return it freshly read.

    The UPDATE comes first in the transaction on purpose: on SQLite a transaction that
    starts with a write waits for the writer lock (busy_timeout) instead of failing on
    a stale read snapshot; on PostgreSQL it locks the row like ``SELECT ... FOR UPDATE``.
    It returns the row it locked (RETURNING), so taking the lock is one round trip: the
    time between lock and commit is what every other registrant of the webinar waits.
    """
    webinar = db.session.execute(
        update(Webinar)
        .where(Webinar.id == webinar_id)
        .values(registration_counter=Webinar.registration_counter + 1)
        .returning(Webinar)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).scalar_one_or_none()
    if webinar is None:
        raise WebinarNotFound(_("There is no such webinar."))
    webinar.lock_number_unused = True
    return webinar


def take_number(webinar: Webinar) -> int:
    """The next arrival number on a locked webinar (orders the waitlist).

    The lock's own bump of the counter made a number nobody holds (the counter only
    grows, and the lock is held until commit): the first arrival under the lock takes
    it, so a registration needs no second UPDATE of the webinar. Any further arrival
    under the same lock (approving several people) bumps the counter again. Numbers
    therefore grow with every arrival but are not consecutive.
    """
    if getattr(webinar, "lock_number_unused", False):
        webinar.lock_number_unused = False
        return webinar.registration_counter
    webinar.registration_counter += 1
    return webinar.registration_counter


def count_confirmed(webinar: Webinar) -> int:
    # count(*), not count(id): the queue index (webinar_id, status, queue_number) answers
    # it alone, without reading the rows.
    return db.session.execute(
        select(func.count()).select_from(Registration).where(
            Registration.webinar_id == webinar.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    ).scalar_one()
