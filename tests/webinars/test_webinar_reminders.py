"""Reminders reach the SMTP server at the right moments; the clock is moved, never slept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.db import utcnow
from elearn.mail.delivery import deliver_due
from elearn.mail.models import OutboxMessage
from elearn.webinars.registrations import cancel_registration, decide, register
from elearn.webinars.services import cancel_webinar, update_webinar
from tests.conftest import mail_body

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def reminders(smtp_server, address: str | None = None) -> list:
    messages = smtp_server.to(address) if address else list(smtp_server.messages)
    return [m for m in messages if m["Subject"].strip().startswith("Reminder:")]


@pytest.fixture
def soon(make_webinar):
    """A webinar three days ahead with the default reminders (a day and an hour before)."""

    def factory(**fields):
        fields.setdefault("starts_in", 3 * DAY)
        return make_webinar(**fields)

    return factory


def test_confirmed_get_each_reminder_at_its_moment_waitlisted_get_none(db, soon, guest,
                                                                       smtp_server):
    webinar = soon(capacity=1)
    start = webinar.starts_at
    register(webinar.id, **guest(1, timezone="Asia/Kolkata"))
    register(webinar.id, **guest(2))
    db.session.commit()
    deliver_due()  # the confirmation and the waitlist notice
    assert reminders(smtp_server) == []

    deliver_due(now=start - DAY - MINUTE)
    assert reminders(smtp_server) == []
    deliver_due(now=start - DAY + MINUTE)
    [first] = reminders(smtp_server)
    assert first["To"] == "guest1@example.org"
    body = mail_body(first)
    assert "Asia/Kolkata (UTC+05:30)" in body and "Europe/Zurich" in body
    assert "https://meet.example.org/j/article-15" in body
    assert "/webinars/manage/" in body

    deliver_due(now=start - HOUR - MINUTE)
    assert len(reminders(smtp_server)) == 1
    deliver_due(now=start - HOUR + MINUTE)
    assert [m["To"] for m in reminders(smtp_server)] == ["guest1@example.org"] * 2
    deliver_due(now=start + HOUR)
    assert len(reminders(smtp_server)) == 2
    assert reminders(smtp_server, "guest2@example.org") == []


def test_promoted_registrant_gets_the_reminders_the_leaver_does_not(db, soon, guest,
                                                                    smtp_server):
    webinar = soon(capacity=1)
    seat = register(webinar.id, **guest(1)).registration
    register(webinar.id, **guest(2))
    db.session.commit()
    cancel_registration(seat)
    db.session.commit()
    deliver_due(now=webinar.starts_at - HOUR + MINUTE)
    # Both reminders were due; the one-day one expired when the one-hour one fell due.
    assert [m["To"] for m in reminders(smtp_server)] == ["guest2@example.org"]


def test_declined_and_cancelled_registrants_get_no_reminders(db, soon, guest, smtp_server):
    webinar = soon(capacity=5)
    keep, leave, refuse = (register(webinar.id, **guest(n)).registration for n in (1, 2, 3))
    db.session.commit()
    cancel_registration(leave)
    decide(webinar, [refuse.id], approve=False, message="Not this time.")
    db.session.commit()
    deliver_due(now=webinar.starts_at - DAY + MINUTE)
    assert [m["To"] for m in reminders(smtp_server)] == [keep.email]


def test_rescheduling_moves_the_reminders(db, soon, guest, smtp_server):
    webinar = soon()
    old_start = webinar.starts_at
    register(webinar.id, **guest(1))
    db.session.commit()
    new_start = old_start + 2 * DAY + 3 * HOUR
    update_webinar(webinar, starts_at=new_start)
    db.session.commit()
    deliver_due(now=old_start - DAY + MINUTE)
    assert reminders(smtp_server) == []
    deliver_due(now=new_start - DAY + MINUTE)
    [moved] = reminders(smtp_server)
    assert webinar.title in moved["Subject"]
    # Only the moved reminders are pending now: two of them, at the new moments.
    pending = db.session.execute(
        select(OutboxMessage.send_after).where(OutboxMessage.template == "webinars/reminder",
                                               OutboxMessage.status == "pending")
    ).scalars().all()
    assert pending == [new_start - HOUR]


def test_cancelling_the_webinar_cancels_the_reminders(db, soon, guest, smtp_server):
    webinar = soon()
    register(webinar.id, **guest(1))
    db.session.commit()
    cancel_webinar(webinar)
    db.session.commit()
    for moment in (webinar.starts_at - DAY + MINUTE, webinar.starts_at - HOUR + MINUTE):
        deliver_due(now=moment)
    assert reminders(smtp_server) == []
    statuses = db.session.execute(
        select(OutboxMessage.status).where(OutboxMessage.template == "webinars/reminder")
    ).scalars().all()
    assert statuses == ["cancelled", "cancelled"]


def test_a_missed_reminder_is_sent_once_before_the_start_and_dropped_after(db, soon, guest,
                                                                          smtp_server):
    early = soon()
    late = soon(title="Late webinar", starts_in=5 * DAY)
    register(early.id, **guest(1))
    register(late.id, **guest(2))
    db.session.commit()
    deliver_due()
    # Delivery was down for two days: it comes back half an hour before the start.
    deliver_due(now=early.starts_at - 30 * MINUTE)
    deliver_due(now=early.starts_at - 20 * MINUTE)
    assert [m["To"] for m in reminders(smtp_server)] == ["guest1@example.org"]
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == "guest1@example.org",
                                    OutboxMessage.template == "webinars/reminder")
        .order_by(OutboxMessage.send_after)
    ).scalars().all()
    assert [(r.status, r.reference.rsplit(":", 1)[1]) for r in rows] == [
        ("cancelled", "1440"), ("sent", "60")]
    assert rows[0].last_error == "expired before it could be sent"
    # For the other webinar delivery only comes back after the start: nothing is sent.
    smtp_server.messages.clear()
    report = deliver_due(now=late.starts_at + 5 * MINUTE)
    assert report.expired == 2
    assert reminders(smtp_server) == []


def test_registering_after_a_reminders_moment_queues_only_those_ahead(db, make_webinar,
                                                                      guest, smtp_server):
    webinar = make_webinar(starts_in=5 * HOUR)
    register(webinar.id, **guest(1))
    closing = make_webinar(starts_in=30 * MINUTE, title="Starting soon")
    register(closing.id, **guest(2))
    db.session.commit()
    queued = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.send_after)
        .where(OutboxMessage.template == "webinars/reminder")
    ).all()
    assert queued == [("guest1@example.org", webinar.starts_at - HOUR)]
    deliver_due()
    [confirmation] = smtp_server.to("guest2@example.org")
    assert "https://meet.example.org/j/article-15" in mail_body(confirmation)


def test_reminders_are_written_in_the_registrants_language(db, soon, guest, make_user):
    webinar = soon()
    user = make_user(locale="ru", timezone="Europe/Moscow", email="ivan@example.ru")
    register(webinar.id, user=user)
    db.session.commit()
    rows = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.template == "webinars/reminder")
    ).scalars().all()
    assert [r.language for r in rows] == ["ru", "ru"]
    assert all("Europe/Moscow (UTC+03:00)" in r.body_text for r in rows)
    assert all(r.expires_at is not None and r.expires_at <= webinar.starts_at for r in rows)
    assert utcnow() < min(r.send_after for r in rows)


def test_outbox_drops_an_expired_message_and_sends_a_late_one_still_valid(db, smtp_server):
    from types import SimpleNamespace

    from elearn.mail.services import queue_mail

    now = utcnow()
    context = {"user": SimpleNamespace(name="A"), "reset_url": "http://x/r", "minutes": 5}
    late = queue_mail(to="late@example.org", template="accounts/reset_password",
                      context=context, send_after=now - HOUR, expires_at=now + HOUR)
    stale = queue_mail(to="stale@example.org", template="accounts/reset_password",
                       context=context, send_after=now - HOUR, expires_at=now - MINUTE)
    db.session.commit()
    report = deliver_due(now=now)
    assert (report.sent, report.expired) == (1, 1)
    assert [m["To"] for m in smtp_server.messages] == ["late@example.org"]
    db.session.refresh(late)
    db.session.refresh(stale)
    assert (late.status, stale.status) == ("sent", "cancelled")
    assert deliver_due(now=now + DAY).sent == 0  # sent once, never again
