"""Queueing mail: the only way any feature sends an e-mail."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import update

from elearn.db import utcnow
from elearn.extensions import db
from elearn.mail.models import MailStatus, OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def render_mail(template: str, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from ``templates/mail/<template>.{subject,txt,html}``.

    Rendered in the recipient's language, whatever the current request's is.
    """
    with force_locale(language):
        ctx = {"language": language, "base_url": current_app.config["BASE_URL"], **context}
        subject = render_template(f"mail/{template}.subject.txt", **ctx).strip()
        text = render_template(f"mail/{template}.txt", **ctx)
        html = render_template(f"mail/{template}.html", subject=subject, **ctx)
    return " ".join(subject.split()), text, html


@dataclass(frozen=True)
class Sending:
    """One moment a message goes out at: a row of its own, with its own reference."""

    #: Not before this moment (UTC); None: at once.
    send_after: datetime | None = None
    #: Cancelled instead of sent late after this moment; None: never expires.
    expires_at: datetime | None = None
    #: What it is about, to cancel or find it later.
    reference: str | None = None


def queue_mail(
    *,
    to: str,
    template: str,
    language: str = "en",
    context: dict | None = None,
    send_after: datetime | None = None,
    expires_at: datetime | None = None,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    reference: str | None = None,
) -> OutboxMessage:
    """Write one outbox row in the caller's transaction (a rollback takes it back).

    A message still unsent at ``expires_at`` is cancelled by delivery, never sent late.
    """
    return queue_copies(to=to, template=template, language=language, context=context,
                        attachments=attachments,
                        sendings=[Sending(send_after, expires_at, reference)])[0]


def queue_copies(
    *,
    to: str,
    template: str,
    language: str = "en",
    context: dict | None = None,
    sendings: list[Sending],
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
) -> list[OutboxMessage]:
    """The same message at several moments (a webinar's reminders), rendered once.

    Each sending is its own outbox row, with its own Message-ID, and is sent or
    cancelled on its own. The rows are added to the session, not flushed: the next
    query or the commit writes them, several in one statement where the database can.
    """
    subject, text, html = render_mail(template, language, context or {})
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    messages = [
        OutboxMessage(
            recipient=to,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            template=template,
            reference=sending.reference,
            send_after=sending.send_after or utcnow(),
            expires_at=sending.expires_at,
            message_id=make_msgid(idstring=secrets.token_hex(8), domain=domain or "elearn"),
            attachments=[
                OutboxAttachment(filename=a.filename, content_type=a.content_type,
                                 data=a.data)
                for a in attachments
            ],
        )
        for sending in sendings
    ]
    db.session.add_all(messages)
    return messages


def cancel_mail(reference_prefix: str) -> int:
    """Cancel every pending message whose reference starts with ``reference_prefix``."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.reference.startswith(reference_prefix, autoescape=True),
            OutboxMessage.status == MailStatus.PENDING.value,
        )
        .values(status=MailStatus.CANCELLED.value)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
