"""Outbox rows: one per message, written in the transaction that decided to send it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import utcnow
from elearn.extensions import db


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The single recipient address.
    recipient: Mapped[str] = mapped_column(String(254))
    #: Language the message was rendered in.
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: Subject line, already translated.
    subject: Mapped[str] = mapped_column(String(300))
    #: Plain-text body (always present).
    body_text: Mapped[str] = mapped_column(Text)
    #: HTML body, or None for text-only mail.
    body_html: Mapped[str | None] = mapped_column(Text)
    #: Template the message came from ("webinars/reminder"), for reports and tests.
    template: Mapped[str] = mapped_column(String(100), default="")
    #: What the message is about ("webinar:12:registration:5"), to update or cancel it later.
    reference: Mapped[str | None] = mapped_column(String(200), index=True)
    #: Not to be sent before this moment (UTC); reminders are queued ahead of time.
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    #: Pointless after this moment (a reminder once its webinar has started): delivery
    #: cancels it instead of sending it late. None: never expires.
    expires_at: Mapped[datetime | None]
    #: pending, sending (claimed by a delivery run), sent, failed or cancelled.
    status: Mapped[str] = mapped_column(String(10), default=MailStatus.PENDING.value)
    #: Delivery attempts made so far.
    attempts: Mapped[int] = mapped_column(default=0)
    #: The last delivery error, for the people who look after the server.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: When the message was handed to the mail server.
    sent_at: Mapped[datetime | None]
    #: Which delivery run holds the message while it is being sent.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: When that run claimed it: a claim left too long belongs to a crashed run.
    claimed_at: Mapped[datetime | None]
    #: The Message-ID header, fixed at queue time so a retry is the same message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    #: When the row was written.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id",
        lazy="selectin",
    )

    __table_args__ = (Index("ix_outbox_due", "status", "send_after"),)


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The message it belongs to.
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox.id", ondelete="CASCADE"), index=True
    )
    #: File name shown to the recipient ("invite.ics").
    filename: Mapped[str] = mapped_column(String(200))
    #: Full MIME type, with parameters ("text/calendar; method=REQUEST").
    content_type: Mapped[str] = mapped_column(String(200))
    #: The bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
