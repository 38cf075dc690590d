"""What webinars do: create, change, reschedule, cancel, list.

Functions here change the session and flush; the caller commits once. Registrations
are in ``registrations.py``, mail and reminders in ``notifications.py``, the lock that
keeps seats exact in ``locking.py``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from elearn.accounts.models import User
from elearn.courses.models import Course
from elearn.courses.services import find_course
from elearn.db import utcnow
from elearn.extensions import db
from elearn.i18n import LANGUAGE_NAMES, is_timezone
from elearn.markup import render_markdown
from elearn.webinars import notifications
from elearn.webinars.errors import WebinarError
from elearn.webinars.locking import count_confirmed, lock_webinar
from elearn.webinars.models import (
    DEFAULT_REMINDER_OFFSETS,
    Registration,
    Webinar,
    WebinarStatus,
)
from elearn.webinars.registrations import promote_waitlisted
from elearn.webinars.themes import is_theme

#: Longest reminder offset accepted: 30 days.
MAX_REMINDER_MINUTES = 30 * 24 * 60
#: Longest webinar: 12 hours.
MAX_DURATION_MINUTES = 12 * 60
MAX_CAPACITY = 100_000
#: Fields whose change a calendar must learn about (SEQUENCE goes up).
CALENDAR_FIELDS = ("title", "description", "starts_at", "duration_minutes", "join_url")
#: Fields whose change is worth an e-mail to every confirmed registrant.
NOTIFY_FIELDS = ("starts_at", "duration_minutes", "join_url")
#: Fields written into reminders: when they change, reminders are queued again.
REMINDER_FIELDS = ("title", "starts_at", "duration_minutes", "join_url", "timezone",
                   "reminder_offsets")
EDITABLE_FIELDS = (
    "title", "theme", "language", "description", "starts_at", "timezone",
    "duration_minutes", "capacity", "join_url", "requires_approval", "reminder_offsets",
    "registration_opens_at", "registration_closes_at", "course_slug", "recording_url",
)


# -- validation --------------------------------------------------------------------------


def _is_web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _clean(fields: dict, current: Webinar | None, now: datetime) -> dict:
    """Check ``fields`` (all of them when creating); raise one error listing every problem."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise WebinarError(_("Unknown fields: %(names)s", names=", ".join(sorted(unknown))))
    data = dict(fields)
    if current is None:
        for name in ("title", "theme", "language", "starts_at", "timezone",
                     "duration_minutes", "capacity", "join_url"):
            if data.get(name) in (None, ""):
                fail(name, _("This field is required."))
    if "title" in data and data["title"] is not None:
        data["title"] = data["title"].strip()
        if not data["title"] or len(data["title"]) > 200:
            fail("title", _("Give a title of at most 200 characters."))
    if data.get("theme") is not None and not is_theme(data["theme"]):
        fail("theme", _("Choose one of the programme's themes."))
    if data.get("language") is not None and data["language"] not in LANGUAGE_NAMES:
        fail("language", _("Choose one of the six languages."))
    if data.get("timezone") is not None and not is_timezone(data["timezone"]):
        fail("timezone", _("“%(zone)s” is not a time zone. Use an IANA name such as "
                           "Europe/Paris or Africa/Nairobi.", zone=data["timezone"]))
    starts_at = data.get("starts_at")
    if starts_at is not None:
        if starts_at.tzinfo is None:
            fail("starts_at", _("Give the start with its offset from UTC."))
        elif (current is None or starts_at != current.starts_at) and starts_at <= now:
            fail("starts_at", _("The start must be in the future."))
    duration = data.get("duration_minutes")
    if duration is not None and not 1 <= duration <= MAX_DURATION_MINUTES:
        fail("duration_minutes", _("The duration must be between 1 and %(n)d minutes.",
                                   n=MAX_DURATION_MINUTES))
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        fail("capacity", _("The capacity must be between 1 and %(n)d.", n=MAX_CAPACITY))
    for name in ("join_url", "recording_url"):
        value = data.get(name)
        if isinstance(value, str):
            data[name] = value.strip() or None
        if data.get(name) and (len(data[name]) > 500 or not _is_web_url(data[name])):
            fail(name, _("Give a web address starting with https:// or http://."))
    if "join_url" in data and data["join_url"] is None and "join_url" not in errors:
        fail("join_url", _("This field is required."))
    if "reminder_offsets" in data:
        offsets = data["reminder_offsets"]
        if offsets is None:
            offsets = list(DEFAULT_REMINDER_OFFSETS)
        if any(not isinstance(o, int) or not 0 < o <= MAX_REMINDER_MINUTES for o in offsets):
            fail("reminder_offsets", _("Each reminder must come between 1 minute and 30 days "
                                       "before the start."))
        else:
            data["reminder_offsets"] = sorted(set(offsets), reverse=True)
    if "course_slug" in data:
        slug = (data["course_slug"] or "").strip() or None
        if slug is not None and find_course(slug) is None:
            fail("course_slug", _("There is no course “%(slug)s”. Give the address of an "
                                  "existing course, as in /courses/<address>.", slug=slug))
        data["course_slug"] = slug
    if "description" in data:
        data["description"] = (data["description"] or "").strip()
    for name in ("registration_opens_at", "registration_closes_at"):
        value = data.get(name)
        if value is not None and value.tzinfo is None:
            fail(name, _("Give the time with its offset from UTC."))
    if errors:
        raise WebinarError(_("Some of the webinar's details are not valid."), errors=errors)

    def merged(name):
        return data[name] if name in data else getattr(current, name, None)

    opens, closes = merged("registration_opens_at"), merged("registration_closes_at")
    start = merged("starts_at")
    if opens and closes and opens >= closes:
        fail("registration_closes_at", _("Registration must close after it opens."))
    if opens and start and opens >= start:
        fail("registration_opens_at", _("Registration must open before the webinar starts."))
    if errors:
        raise WebinarError(_("Some of the webinar's details are not valid."), errors=errors)
    return data


def _apply(webinar: Webinar, data: dict) -> None:
    for name, value in data.items():
        setattr(webinar, name, value)
    if "description" in data:
        webinar.description_html = render_markdown(
            webinar.description, base_url=current_app.config["BASE_URL"]
        )
    webinar.ends_at = webinar.starts_at + timedelta(minutes=webinar.duration_minutes)


# -- create, change, cancel --------------------------------------------------------------


def create_webinar(*, created_by: User | None = None, now: datetime | None = None,
                   **fields) -> Webinar:
    now = now or utcnow()
    fields.setdefault("reminder_offsets", list(DEFAULT_REMINDER_OFFSETS))
    fields.setdefault("description", "")
    data = _clean(fields, None, now)
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "elearn"
    webinar = Webinar(uid=f"webinar-{secrets.token_hex(12)}@{domain}", sequence=0,
                      status=WebinarStatus.SCHEDULED.value, created_by=created_by,
                      registration_counter=0)
    _apply(webinar, data)
    db.session.add(webinar)
    db.session.flush()
    return webinar


@dataclass
class UpdateReport:
    changed: list[str] = field(default_factory=list)
    rescheduled: bool = False
    promoted: list[Registration] = field(default_factory=list)


def update_webinar(webinar: Webinar, *, now: datetime | None = None, **changes) -> UpdateReport:
    """Change a webinar; registrants hear of a new time or link, reminders follow it."""
    now = now or utcnow()
    webinar = lock_webinar(webinar.id)
    if webinar.is_cancelled:
        raise WebinarError(_("This webinar has been cancelled and can no longer be changed."),
                           status=409)
    data = _clean(changes, webinar, now)
    changed = [name for name, value in data.items() if getattr(webinar, name) != value]
    report = UpdateReport(changed=changed)
    if not changed:
        return report
    if "capacity" in changed:
        taken = count_confirmed(webinar)
        if data["capacity"] < taken:
            raise WebinarError(
                _("Some of the webinar's details are not valid."),
                errors={"capacity": [_("%(n)d people already hold a seat: the capacity cannot "
                                       "be lower.", n=taken)]},
            )
    _apply(webinar, {name: data[name] for name in changed})
    if any(name in CALENDAR_FIELDS for name in changed):
        webinar.sequence += 1
    report.rescheduled = any(name in NOTIFY_FIELDS for name in changed)
    if any(name in REMINDER_FIELDS for name in changed):
        notifications.requeue_reminders(webinar, now=now)
    if report.rescheduled:
        notifications.webinar_updated(webinar)
    report.promoted = promote_waitlisted(webinar, now=now)
    db.session.flush()
    return report


def cancel_webinar(webinar: Webinar, *, message: str = "", now: datetime | None = None) -> bool:
    """Cancel it: everyone registered hears of it, reminders stop, nobody is promoted.

    Returns False when it was already cancelled.
    """
    now = now or utcnow()
    webinar = lock_webinar(webinar.id)
    if webinar.is_cancelled:
        return False
    if webinar.is_over(now):
        raise WebinarError(_("This webinar is over; it can no longer be cancelled."),
                           status=409)
    webinar.status = WebinarStatus.CANCELLED.value
    webinar.cancelled_at = now
    webinar.sequence += 1
    notifications.cancel_webinar_reminders(webinar)
    notifications.webinar_cancelled(webinar, message=message.strip())
    db.session.flush()
    return True


# -- reading -----------------------------------------------------------------------------


def get_webinar(webinar_id: int) -> Webinar | None:
    return db.session.get(Webinar, webinar_id)


def list_webinars(*, theme: str | None = None, language: str | None = None,
                  since: datetime | None = None, past: bool = False,
                  include_cancelled: bool = True, limit: int | None = None,
                  offset: int = 0) -> list[Webinar]:
    """Upcoming (not yet ended) webinars from ``since`` in start order, or past ones,
    latest first."""
    now = utcnow()
    stmt = select(Webinar)
    if theme:
        stmt = stmt.where(Webinar.theme == theme)
    if language:
        stmt = stmt.where(Webinar.language == language)
    if not include_cancelled:
        stmt = stmt.where(Webinar.status == WebinarStatus.SCHEDULED.value)
    if past:
        stmt = stmt.where(Webinar.ends_at <= now).order_by(Webinar.starts_at.desc())
    else:
        stmt = stmt.where(Webinar.ends_at > (since or now)).order_by(Webinar.starts_at)
    stmt = stmt.order_by(Webinar.id)
    if limit:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(db.session.execute(stmt).scalars())


def linked_course(webinar: Webinar) -> Course | None:
    """The course the webinar belongs to, if any."""
    return find_course(webinar.course_slug)


def course_webinars(course_slug: str, *, now: datetime | None = None) -> list[Webinar]:
    """The scheduled webinars linked to a course that have not ended, in start order."""
    return list(db.session.execute(
        select(Webinar).where(Webinar.course_slug == course_slug,
                              Webinar.status == WebinarStatus.SCHEDULED.value,
                              Webinar.ends_at > (now or utcnow()))
        .order_by(Webinar.starts_at, Webinar.id)
    ).scalars())


@dataclass
class SeatCounts:
    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0


def seat_counts(webinar_ids: list[int]) -> dict[int, SeatCounts]:
    counts = {webinar_id: SeatCounts() for webinar_id in webinar_ids}
    if not webinar_ids:
        return counts
    # Only the three statuses counted, and count(*): a range of the queue index
    # (webinar_id, status, queue_number), without the cancelled and declined rows.
    counted = ("confirmed", "waitlisted", "pending")
    rows = db.session.execute(
        select(Registration.webinar_id, Registration.status, func.count())
        .where(Registration.webinar_id.in_(webinar_ids), Registration.status.in_(counted))
        .group_by(Registration.webinar_id, Registration.status)
    ).all()
    for webinar_id, status, count in rows:
        setattr(counts[webinar_id], status, count)
    return counts
