"""The delivery job: claim due messages exactly once, send them, record the outcome.

Several delivery processes may run at once. A claim is one UPDATE that only takes rows
still pending (on PostgreSQL the candidate rows are picked ``FOR UPDATE SKIP LOCKED``, so
runs do not wait on each other; SQLite serialises writers, so the conditional UPDATE is
enough). A run that dies after claiming leaves rows in ``sending``; after
MAIL_CLAIM_TIMEOUT_SECONDS they return to ``pending`` and are sent by a later run, so a
crash never loses a message. Outcomes are written every MAIL_COMMIT_EVERY messages
(and at the end of each batch): a crash may send again at most that many messages, which
had been sent but not yet recorded.

A message with an ``expires_at`` that is still unsent at that moment (a reminder whose
moment passed while no delivery ran, and whose webinar has now started) is marked
cancelled and never sent; before then, a late one is sent once, as soon as a run sees it.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, or_, select, update

from elearn.db import utcnow
from elearn.extensions import db
from elearn.mail.models import MailStatus, OutboxMessage
from elearn.mail.transport import build_email, make_transport

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    expired: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed


def release_stale_claims(now: datetime) -> int:
    timeout = timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MailStatus.SENDING.value,
            OutboxMessage.claimed_at < now - timeout,
        )
        .values(status=MailStatus.PENDING.value, claim_token=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def cancel_expired(now: datetime) -> int:
    """Cancel pending messages whose moment has passed for good; committed at once."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MailStatus.PENDING.value,
            OutboxMessage.expires_at.is_not(None),
            OutboxMessage.expires_at <= now,
        )
        .values(status=MailStatus.CANCELLED.value,
                last_error="expired before it could be sent")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount


def claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as ours and return them; committed at once."""
    token = secrets.token_hex(16)
    candidates = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MailStatus.PENDING.value,
            OutboxMessage.send_after <= now,
            or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
        )
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), OutboxMessage.status == MailStatus.PENDING.value)
        .values(status=MailStatus.SENDING.value, claim_token=token, claimed_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    if not ids:
        return []
    # By primary key: claim_token has no index, and a scan of the whole outbox per batch
    # (sent mail stays in it) was most of a run's database time.
    return list(
        db.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.send_after, OutboxMessage.id)
        ).scalars()
    )


def _finish(message: _Outgoing, **values) -> None:
    """Record an outcome, only if our claim still holds."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == message.claim_token)
        .values(claim_token=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False)
    )


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base... capped at one day."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


@dataclass(frozen=True)
class _Outgoing:
    """A claimed message as read once: delivery never reloads rows after a commit."""

    id: int
    recipient: str
    claim_token: str
    attempts: int
    #: The message as sent (bytes, CRLF lines).
    email: bytes


def _prepare(messages: list[OutboxMessage], sender: str) -> list[_Outgoing]:
    return [_Outgoing(m.id, m.recipient, m.claim_token, m.attempts, build_email(m, sender))
            for m in messages]


class _Outcomes:
    """Outcomes of sent messages, written together: one UPDATE and one commit per group.

    A commit per message made delivery wait on the database (an fsync per message on
    PostgreSQL, the writer lock on SQLite) more than on the mail server. Writing every
    ``MAIL_COMMIT_EVERY`` messages keeps the cost of a crash small: the messages of an
    unwritten group stay claimed, and are sent again after MAIL_CLAIM_TIMEOUT_SECONDS.
    """

    def __init__(self, size: int):
        self.size = max(size, 1)
        self.sent: list[dict] = []

    def add_sent(self, message: _Outgoing, attempts: int, sent_at: datetime) -> None:
        self.sent.append({"b_id": message.id, "b_token": message.claim_token,
                          "b_attempts": attempts, "b_sent_at": sent_at})
        if len(self.sent) >= self.size:
            self.write()

    def write(self) -> None:
        if self.sent:
            table = OutboxMessage.__table__
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"),
                       table.c.claim_token == bindparam("b_token"))
                .values(status=MailStatus.SENT.value, attempts=bindparam("b_attempts"),
                        sent_at=bindparam("b_sent_at", type_=table.c.sent_at.type),
                        last_error=None, claim_token=None, claimed_at=None),
                self.sent,
            )
            self.sent = []
        db.session.commit()


def deliver_due(now: datetime | None = None, limit: int | None = None) -> DeliveryReport:
    """Send what is due now. Safe to run in any number of processes at once."""
    config = current_app.config
    now = now or utcnow()
    report = DeliveryReport(released=release_stale_claims(now))
    report.expired = cancel_expired(now)
    batch = limit or config["MAIL_BATCH_SIZE"]
    sender = config["MAIL_DEFAULT_SENDER"]
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    outcomes = _Outcomes(config["MAIL_COMMIT_EVERY"])
    while True:
        messages = _prepare(claim_due(now, batch), sender)
        if not messages:
            break
        try:
            with make_transport(config) as transport:
                for message in messages:
                    _send_one(transport, message, now, max_attempts, report, outcomes)
        finally:
            outcomes.write()
        if limit is not None:
            break
    return report


def _send_one(transport, message: _Outgoing, now: datetime, max_attempts: int,
              report: DeliveryReport, outcomes: _Outcomes) -> None:
    attempts = message.attempts + 1
    try:
        sent_at = utcnow()
        transport.send(message.email, message)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("Mail %s to %s failed: %s", message.id, message.recipient, error)
        if attempts >= max_attempts:
            report.failed += 1
            _finish(message, status=MailStatus.FAILED.value, attempts=attempts,
                    last_error=error, sent_at=None)
        else:
            report.retried += 1
            _finish(message, status=MailStatus.PENDING.value, attempts=attempts,
                    last_error=error, sent_at=None, send_after=now + retry_delay(attempts))
    else:
        report.sent += 1
        outcomes.add_sent(message, attempts, sent_at)
