"""Every e-mail about a webinar, and its reminders, as outbox rows.

Messages are written in the registrant's language, with the time in the registrant's
zone, the webinar's zone and UTC, the join link once a seat is theirs, and their manage
link. Confirmations, promotions and changes carry the invitation (``text/calendar;
method=REQUEST``); cancellations carry ``method=CANCEL``.

Reminders are outbox rows queued when a seat is confirmed, one per offset of the
webinar, due at ``starts_at - offset``, with the reference
``webinar:{id}:registration:{rid}:reminder:{offset}``. Changing the webinar's time
cancels and queues them again in the same transaction; cancelling the webinar or the
registration cancels them. A reminder expires (``expires_at``) when the next one falls
due, the last one when the webinar starts: a reminder whose moment passed while no
delivery ran is sent once, late, if the webinar has not started, and dropped otherwise
(and a stale "one day before" never arrives together with the "one hour before").
Reminders therefore state the time, never "in 24 hours".

A reminder whose moment has already passed when the seat is confirmed (registering 30
minutes before the start, say) is not queued: the confirmation, sent at once, carries the
same time and link, and a second message in the same minute would only be noise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from elearn.accounts.services import external_url
from elearn.db import utcnow
from elearn.extensions import db
from elearn.mail.models import OutboxMessage
from elearn.mail.services import Attachment, Sending, cancel_mail, queue_copies, queue_mail
from elearn.webinars import ics
from elearn.webinars.models import ACTIVE_STATUSES, Registration, RegistrationStatus, Webinar
from elearn.webinars.times import format_when, readings


def reminder_reference(registration: Registration, offset: int | None = None) -> str:
    base = f"webinar:{registration.webinar_id}:registration:{registration.id}:reminder:"
    return base if offset is None else f"{base}{offset}"


def manage_url(registration: Registration) -> str:
    return external_url(f"/webinars/manage/{registration.manage_token}")


def _context(registration: Registration, **extra) -> dict:
    webinar = registration.webinar
    language, zone = registration.language, registration.timezone
    return {
        "registration": registration,
        "webinar": webinar,
        "times": readings(webinar.starts_at, [zone, webinar.timezone, "UTC"], language),
        "ends": format_when(webinar.ends_at, zone, language, with_date=False),
        "duration": webinar.duration_minutes,
        "join_url": webinar.join_url,
        "manage_url": manage_url(registration),
        "page_url": external_url(f"/webinars/{webinar.id}"),
        **extra,
    }


def _invite(registration: Registration, method: str) -> Attachment:
    data = ics.invitation(registration.webinar, registration, method=method)
    filename = "cancel.ics" if method == ics.CANCEL else "invite.ics"
    return Attachment(filename, f"text/calendar; method={method}", data)


def _send(registration: Registration, template: str, *, method: str | None = None,
          **extra) -> OutboxMessage:
    return queue_mail(
        to=registration.email,
        template=f"webinars/{template}",
        language=registration.language,
        context=_context(registration, **extra),
        attachments=[_invite(registration, method)] if method else [],
        reference=f"webinar-mail:{registration.webinar_id}:registration:{registration.id}:"
                  f"{template}",
    )


# -- registration e-mails ----------------------------------------------------------------


def registration_received(registration: Registration, *,
                          position: int | None) -> OutboxMessage:
    status = registration.status
    if status == RegistrationStatus.CONFIRMED.value:
        return _send(registration, "confirmed", method=ics.REQUEST, approved=False)
    if status == RegistrationStatus.WAITLISTED.value:
        return _send(registration, "waitlisted", position=position, approved=False)
    return _send(registration, "pending")


#: Stands for the waitlist position in a message written before the position is known
#: (``registrations.register`` writes its messages before taking the webinar's lock);
#: :func:`fill_position` puts the real one in. Printed by ``%(position)d``.
POSITION_SLOT = 987_654_321_012


def fill_position(message: OutboxMessage, position: int) -> None:
    slot, value = str(POSITION_SLOT), str(position)
    message.subject = message.subject.replace(slot, value)
    message.body_text = message.body_text.replace(slot, value)
    message.body_html = message.body_html.replace(slot, value)


def discard_registration_mail(registration: Registration) -> None:
    """Take back, in the current transaction, every message queued for ``registration``
    (its announcement and reminders), to write them again."""
    prefixes = (f"webinar-mail:{registration.webinar_id}:registration:{registration.id}:",
                reminder_reference(registration))
    for message in db.session.execute(select(OutboxMessage).where(
            or_(*(OutboxMessage.reference.startswith(p, autoescape=True)
                  for p in prefixes)))).scalars():
        db.session.delete(message)
    db.session.flush()


def approved(registration: Registration, *, position: int | None) -> None:
    message = registration.decision_message
    if registration.status == RegistrationStatus.CONFIRMED.value:
        _send(registration, "confirmed", method=ics.REQUEST, approved=True, message=message)
    else:
        _send(registration, "waitlisted", position=position, approved=True, message=message)


def declined(registration: Registration, *, had_seat: bool) -> None:
    _send(registration, "declined", method=ics.CANCEL if had_seat else None,
          message=registration.decision_message)


def promoted(registration: Registration) -> None:
    _send(registration, "promoted", method=ics.REQUEST)


def registration_cancelled(registration: Registration, *, had_seat: bool) -> None:
    _send(registration, "registration_cancelled", method=ics.CANCEL if had_seat else None)


def manage_link(registration: Registration, *, position: int | None) -> None:
    _send(registration, "manage_link", position=position)


# -- webinar e-mails ---------------------------------------------------------------------


def _live(webinar: Webinar, *statuses: str) -> list[Registration]:
    return list(db.session.execute(
        select(Registration)
        .where(Registration.webinar_id == webinar.id, Registration.status.in_(statuses))
        .order_by(Registration.queue_number)
    ).scalars())


def webinar_updated(webinar: Webinar) -> None:
    """New time or link: every confirmed registrant gets the updated invitation."""
    for registration in _live(webinar, RegistrationStatus.CONFIRMED.value):
        _send(registration, "updated", method=ics.REQUEST)


def webinar_cancelled(webinar: Webinar, *, message: str) -> None:
    """Everyone still registered hears of it; seat holders get a calendar CANCEL."""
    for registration in _live(webinar, *ACTIVE_STATUSES):
        had_seat = registration.status == RegistrationStatus.CONFIRMED.value
        _send(registration, "webinar_cancelled", method=ics.CANCEL if had_seat else None,
              message=message or None)


# -- reminders ---------------------------------------------------------------------------


def queue_reminders(registration: Registration, *, now: datetime | None = None) -> int:
    """One outbox row per offset still ahead; returns how many were queued.

    Each reminder expires when the next one falls due (the last one when the webinar
    starts): after a delivery outage only the latest reminder still worth sending goes
    out, once, and never two at the same moment.
    """
    now = now or utcnow()
    webinar = registration.webinar
    due_times = [(offset, webinar.starts_at - timedelta(minutes=offset))
                 for offset in sorted(set(webinar.reminder_offsets or ()), reverse=True)]
    due_times = [(offset, due) for offset, due in due_times if due > now]
    if not due_times:
        return 0
    # Every reminder says the same (the time, never "in 24 hours"): written once.
    ends = [due for _offset, due in due_times[1:]] + [webinar.starts_at]
    queue_copies(
        to=registration.email,
        template="webinars/reminder",
        language=registration.language,
        context=_context(registration),
        sendings=[Sending(send_after=due, expires_at=expires,
                          reference=reminder_reference(registration, offset))
                  for (offset, due), expires in zip(due_times, ends, strict=True)],
    )
    return len(due_times)


def cancel_reminders(registration: Registration) -> int:
    return cancel_mail(reminder_reference(registration))


def cancel_webinar_reminders(webinar: Webinar) -> int:
    return cancel_mail(f"webinar:{webinar.id}:")


def requeue_reminders(webinar: Webinar, *, now: datetime | None = None) -> None:
    """The webinar moved (or its reminders changed): cancel every reminder, queue anew."""
    cancel_webinar_reminders(webinar)
    for registration in _live(webinar, RegistrationStatus.CONFIRMED.value):
        queue_reminders(registration, now=now)


# -- after the webinar -------------------------------------------------------------------


def followup(registration: Registration, *, attended: bool, message: str,
             recording_url: str | None) -> None:
    _send(registration, "followup", attended=attended, message=message or None,
          recording_url=recording_url)
