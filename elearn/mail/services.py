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
    subject, text, html = render_mail(template, language, context or {})
    domain = current_app.config["BASE_URL"].split("://", 1)[-1].split("/")[0].split(":")[0]
    message = OutboxMessage(
        recipient=to,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        template=template,
        reference=reference,
        send_after=send_after or utcnow(),
        expires_at=expires_at,
        message_id=make_msgid(idstring=secrets.token_hex(8), domain=domain or "elearn"),
        attachments=[
            OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
            for a in attachments
        ],
    )
    db.session.add(message)
    db.session.flush()
    return message


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
