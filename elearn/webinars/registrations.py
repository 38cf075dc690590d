"""Registering for a webinar: seats, the waitlist, approvals, cancellations.

The rules:

* One registration per e-mail address per webinar. Registering again returns the
  existing registration; one that was cancelled comes back to life at the end of the line.
* Confirmed registrations never exceed the capacity. Past it, registrations join the
  waitlist, which is served in order of arrival (``queue_number``).
* With approval on, a registration waits (pending) for a trainer. Approved, it takes a
  seat if one is free, else joins the waitlist; everyone on a waitlist is therefore
  approved, and a freed seat goes to the first of them whatever the approval setting.
* When a confirmed registration is cancelled or declined, the first waitlisted person is
  promoted and told, unless the webinar is cancelled or over.

Every function takes the webinar's lock first (see ``locking.py``), changes the session
and flushes; the caller commits once. A first registration writes its row and its
messages just before taking the lock, so the lock is held only to decide (see
``_register_new``).
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from elearn.accounts.models import User
from elearn.db import insert_once, utcnow
from elearn.extensions import db
from elearn.i18n import LANGUAGE_NAMES, country_choices, is_timezone
from elearn.webinars import notifications
from elearn.webinars.errors import RegistrationClosed, WebinarError
from elearn.webinars.locking import count_confirmed, lock_webinar, take_number
from elearn.webinars.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationStatus,
    Webinar,
)

Status = RegistrationStatus


@dataclass
class RegistrationResult:
    registration: Registration
    #: False when the address was already registered and that registration came back.
    created: bool
    #: The waitlist place as decided under the webinar's lock; None: read when asked.
    known_position: int | None = None

    def position(self) -> int | None:
        """1 for the first in line; None when not waitlisted."""
        if self.known_position is not None:
            return self.known_position
        return waitlist_position(self.registration)


def _valid_countries() -> set[str]:
    return {code for code, _name in country_choices("en")}


def _clean_person(*, name, email, country, organisation, language, timezone) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Give your name (at most 200 characters).")]
    try:
        email = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [_("Give a valid e-mail address.")]
    else:
        if len(email) > 254:
            errors["email"] = [_("Give a valid e-mail address.")]
    country = (country or "").strip().upper()
    if country not in _valid_countries():
        errors["country"] = [_("Choose your country.")]
    organisation = (organisation or "").strip()
    if len(organisation) > 200:
        errors["organisation"] = [_("At most 200 characters.")]
    if language not in LANGUAGE_NAMES:
        errors["language"] = [_("Choose one of the six languages.")]
    if not is_timezone(timezone):
        errors["timezone"] = [_("“%(zone)s” is not a time zone. Use an IANA name such as "
                                "Europe/Paris or Africa/Nairobi.", zone=timezone)]
    if errors:
        raise WebinarError(_("Some of the registration details are not valid."), errors=errors)
    return {"name": name, "email": email.lower(), "country": country,
            "organisation": organisation, "language": language, "timezone": timezone}


def _refuse_closed(webinar: Webinar, now: datetime) -> None:
    if webinar.is_cancelled:
        raise RegistrationClosed(_("This webinar has been cancelled."))
    if webinar.registration_opens_at and now < webinar.registration_opens_at:
        raise RegistrationClosed(_("Registration opens on %(when)s.",
                                   when=format_datetime(webinar.registration_opens_at)))
    if now >= webinar.closes_at():
        raise RegistrationClosed(_("Registration for this webinar is closed."))


def _find(webinar_id: int, email: str) -> Registration | None:
    return db.session.execute(
        select(Registration).where(Registration.webinar_id == webinar_id,
                                   Registration.email == email.lower())
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def register(
    webinar_id: int,
    *,
    user: User | None = None,
    name: str | None = None,
    email: str | None = None,
    country: str | None = None,
    organisation: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
) -> RegistrationResult:
    """Register an account (``user``) or a guest (name, e-mail, country, organisation).

    The registrant is told by e-mail in their language: confirmed (with the invitation),
    waitlisted (with their place) or pending approval, each with their manage link.
    """
    now = now or utcnow()
    if user is not None:
        person = _clean_person(
            name=user.name, email=user.email, country=user.country,
            organisation=user.organisation, language=language or user.locale,
            timezone=timezone or user.timezone,
        )
    else:
        person = _clean_person(name=name, email=email, country=country,
                               organisation=organisation, language=language or "en",
                               timezone=timezone or "UTC")
    # A new address is the common case (a burst is thousands of them): it is inserted
    # straight away, and only an address already there is looked up.
    result = _register_new(webinar_id, person, user, now)
    if result is not None:
        return result
    existing = _find(webinar_id, person["email"])
    if existing is not None and existing.is_active:
        if user is not None and existing.user_id is None:
            existing.user_id = user.id
        return RegistrationResult(existing, created=False)
    return _register_locked(webinar_id, person, user, now)


#: Webinar columns no message shows: the lock's counter and the row's own timestamps.
_NOT_IN_MAIL = frozenset({"registration_counter", "created_at", "updated_at"})


def _mail_facts(webinar: Webinar) -> tuple:
    """What the messages about ``webinar`` are written from."""
    return tuple(getattr(webinar, attr.key) for attr in Webinar.__mapper__.column_attrs
                 if attr.key not in _NOT_IN_MAIL)


def _decide(webinar: Webinar, own: Registration | None = None) -> Status:
    """The status a new registration gets now; ``own``: the one being decided, already
    in the session (it must not count against itself)."""
    if webinar.requires_approval:
        return Status.PENDING
    confirmed = count_confirmed(webinar)
    if own is not None and own.status == Status.CONFIRMED.value:
        confirmed -= 1
    return Status.CONFIRMED if confirmed < webinar.capacity else Status.WAITLISTED


def _announce(registration: Registration, now: datetime, position: int | None):
    """Queue the registrant's message (and their reminders, for a seat).

    The message first: its invitation names the theme in the registrant's language,
    which may be read from the database, and a query flushes what is pending; queued
    after it, the reminders are written together with it, in one statement.
    """
    message = notifications.registration_received(registration, position=position)
    if registration.status == Status.CONFIRMED.value:
        notifications.queue_reminders(registration, now=now)
    return message


def _register_new(webinar_id: int, person: dict, user: User | None,
                  now: datetime) -> RegistrationResult | None:
    """A first registration of this address, its messages written before the lock.

    Writing the messages (the confirmation with its invitation, or the waitlist message,
    and the reminders) is most of a registration's time; done while holding the webinar's
    lock, it made every other registrant of that webinar wait. So the registration and
    its messages are written first, for the status the seats predict, and under the lock
    only the decision is checked, the arrival number taken and the waitlist position
    filled in. If the prediction was wrong (the last seats went meanwhile) or the webinar
    changed, the messages are written again under the lock: the outcome is always the
    one the locked path gives. Nothing is visible to anyone before the caller commits.

    None when the webinar is missing or not open (the locked path then says why), or
    when the address is registered already (the caller looks it up).
    """
    webinar = db.session.get(Webinar, webinar_id)
    if webinar is None:
        return None
    try:
        _refuse_closed(webinar, now)
    except RegistrationClosed:
        return None
    facts = _mail_facts(webinar)
    if str(notifications.POSITION_SLOT) in repr((facts, person)):
        return None  # the stand-in for the position could not be told apart
    predicted = _decide(webinar)
    # Without a savepoint: on SQLite one opened outside a transaction would commit the row
    # when released. A second request for the same address waits here for this one.
    new_id = insert_once(db.session, Registration, {
        "webinar_id": webinar.id, "manage_token": new_token(), "status": predicted.value,
        "queue_number": 0, "user_id": user.id if user is not None else None,
        "confirmed_at": now if predicted is Status.CONFIRMED else None, **person,
    }, ["webinar_id", "email"])
    if new_id is None:
        return None  # the address is registered already (the caller looks it up)
    registration = db.session.get(Registration, new_id)
    message = _announce(registration, now, position=notifications.POSITION_SLOT)

    webinar = lock_webinar(webinar_id)
    _refuse_closed(webinar, now)
    status = _decide(webinar, own=registration)
    registration.queue_number = take_number(webinar)
    if status is not predicted or _mail_facts(webinar) != facts:
        notifications.discard_registration_mail(registration)
        registration.status = status.value
        registration.confirmed_at = now if status is Status.CONFIRMED else None
        db.session.flush()
        position = waitlist_position(registration)
        _announce(registration, now, position=position)
    else:
        position = waitlist_position(registration)
        if position is not None:
            notifications.fill_position(message, position)
    db.session.flush()
    return RegistrationResult(registration, created=True, known_position=position)


def _register_locked(webinar_id: int, person: dict, user: User | None,
                     now: datetime) -> RegistrationResult:
    """Everything under the webinar's lock: an address registered before (cancelled, now
    back at the end of the line), or a webinar the unlocked path would not take."""
    webinar = lock_webinar(webinar_id)
    existing = _find(webinar.id, person["email"])
    if existing is not None and existing.is_active:
        if user is not None and existing.user_id is None:
            existing.user_id = user.id
        return RegistrationResult(existing, created=False)
    _refuse_closed(webinar, now)

    status = _decide(webinar)
    # webinar_id, not the relationship: the row must enter the session inside the savepoint.
    registration = existing or Registration(webinar_id=webinar.id, manage_token=new_token())
    for key, value in person.items():
        setattr(registration, key, value)
    registration.user_id = user.id if user is not None else registration.user_id
    registration.status = status.value
    registration.queue_number = take_number(webinar)
    registration.cancelled_at = None
    registration.decision_message = None
    registration.confirmed_at = now if status is Status.CONFIRMED else None
    if existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(registration)
                db.session.flush()
        except IntegrityError:
            # The same address, registered at the same moment by another request.
            again = _find(webinar.id, person["email"])
            if again is None:
                raise
            return RegistrationResult(again, created=False)
    db.session.flush()
    _announce(registration, now, position=waitlist_position(registration))
    return RegistrationResult(registration, created=True)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _confirm(registration: Registration, now: datetime) -> None:
    registration.status = Status.CONFIRMED.value
    registration.confirmed_at = now
    db.session.flush()
    notifications.queue_reminders(registration, now=now)


def promote_waitlisted(webinar: Webinar, *, now: datetime | None = None) -> list[Registration]:
    """Give free seats to the first waitlisted, in order, and tell them.

    The caller holds the webinar's lock. Nobody is promoted into a cancelled or
    finished webinar.
    """
    now = now or utcnow()
    if webinar.is_cancelled or webinar.is_over(now):
        return []
    free = webinar.capacity - count_confirmed(webinar)
    if free <= 0:
        return []
    promoted = list(db.session.execute(
        select(Registration)
        .where(Registration.webinar_id == webinar.id,
               Registration.status == Status.WAITLISTED.value)
        .order_by(Registration.queue_number, Registration.id)
        .limit(free)
    ).scalars())
    for registration in promoted:
        _confirm(registration, now)
        notifications.promoted(registration)
    return promoted


def _withdraw(webinar: Webinar, registration: Registration, status: Status,
              now: datetime) -> bool:
    """Take ``registration`` out (cancelled or declined); True if it held a seat."""
    had_seat = registration.status == Status.CONFIRMED.value
    registration.status = status.value
    registration.cancelled_at = now
    notifications.cancel_reminders(registration)
    if had_seat:
        # The registrant's calendar gets a CANCEL that must outrank its REQUEST.
        webinar.sequence += 1
    db.session.flush()
    return had_seat


def cancel_registration(registration: Registration, *,
                        now: datetime | None = None) -> list[Registration]:
    """Cancel through the manage link (or the API); the freed seat is passed on.

    Returns the registrations promoted in its place. Cancelling twice changes nothing.
    """
    now = now or utcnow()
    webinar = lock_webinar(registration.webinar_id)
    db.session.refresh(registration)
    if not registration.is_active:
        return []
    had_seat = _withdraw(webinar, registration, Status.CANCELLED, now)
    notifications.registration_cancelled(registration, had_seat=had_seat)
    return promote_waitlisted(webinar, now=now) if had_seat else []


@dataclass
class DecisionReport:
    confirmed: list[Registration] = field(default_factory=list)
    waitlisted: list[Registration] = field(default_factory=list)
    declined: list[Registration] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)
    #: Registrations the decision did not apply to (already decided, cancelled...).
    skipped: list[Registration] = field(default_factory=list)


def decide(webinar: Webinar, registration_ids: list[int], *, approve: bool,
           message: str = "", now: datetime | None = None) -> DecisionReport:
    """Approve or decline registrations of ``webinar``, one or many, with a message.

    Approval applies to pending registrations: each takes a free seat, in order of
    arrival, or else joins the waitlist. Declining applies to any live registration;
    a declined seat goes to the first waitlisted.
    """
    now = now or utcnow()
    message = (message or "").strip()
    webinar = lock_webinar(webinar.id)
    chosen = list(db.session.execute(
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.id.in_(registration_ids))
        .order_by(Registration.queue_number, Registration.id)
        .execution_options(populate_existing=True)
    ).scalars())
    report = DecisionReport()
    freed = False
    for registration in chosen:
        if approve:
            if registration.status != Status.PENDING.value or webinar.is_cancelled:
                report.skipped.append(registration)
                continue
            registration.decision_message = message or None
            if count_confirmed(webinar) < webinar.capacity:
                _confirm(registration, now)
                report.confirmed.append(registration)
            else:
                registration.status = Status.WAITLISTED.value
                registration.queue_number = take_number(webinar)
                db.session.flush()
                report.waitlisted.append(registration)
            notifications.approved(registration, position=waitlist_position(registration))
        else:
            if registration.status not in ACTIVE_STATUSES:
                report.skipped.append(registration)
                continue
            registration.decision_message = message or None
            had_seat = _withdraw(webinar, registration, Status.DECLINED, now)
            freed = freed or had_seat
            notifications.declined(registration, had_seat=had_seat)
            report.declined.append(registration)
    if freed:
        report.promoted = promote_waitlisted(webinar, now=now)
    db.session.flush()
    return report


# -- reading -----------------------------------------------------------------------------


def find_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        select(Registration).where(Registration.manage_token == token)
    ).scalar_one_or_none()


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status != Status.WAITLISTED.value:
        return None
    return db.session.execute(
        select(func.count()).select_from(Registration).where(  # the queue index alone
            Registration.webinar_id == registration.webinar_id,
            Registration.status == Status.WAITLISTED.value,
            Registration.queue_number <= registration.queue_number,
        )
    ).scalar_one()


def waitlist_positions(webinar_id: int) -> dict[int, int]:
    """Every waitlisted registration's place in line (by id), in one statement: a list of
    registrants shows them all, and one count each grew with the waitlist."""
    rows = db.session.execute(
        select(Registration.id, Registration.queue_number)  # the queue index alone
        .where(Registration.webinar_id == webinar_id,
               Registration.status == Status.WAITLISTED.value)
        .order_by(Registration.queue_number)
    ).all()
    numbers = [number for _id, number in rows]
    # As waitlist_position counts: those waitlisted with a number up to one's own.
    return {id_: bisect_right(numbers, number) for id_, number in rows}


def registration_of(webinar: Webinar, user: User) -> Registration | None:
    """The signed-in person's registration for ``webinar`` (by account or address)."""
    return db.session.execute(
        select(Registration).where(
            Registration.webinar_id == webinar.id,
            (Registration.user_id == user.id) | (Registration.email == user.email.lower()),
        ).order_by(Registration.id)
    ).scalars().first()


def resend_manage_link(registration: Registration) -> None:
    """Someone registered an address that already was: its owner gets the link again."""
    notifications.manage_link(registration, position=waitlist_position(registration))
