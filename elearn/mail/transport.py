"""Getting a message out: SMTP when MAIL_SERVER is set, else .eml files to read locally."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

from elearn.db import utcnow
from elearn.mail.models import OutboxMessage


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.sent_at or utcnow())
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, rest = attachment.content_type.partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype,
            filename=attachment.filename, params=extra,
        )
    return email


class FileTransport:
    """Writes each message to ``<dir>/<id>-<recipient>.eml`` for a newcomer to read."""

    def __init__(self, directory: str):
        self.directory = directory

    def __enter__(self):
        os.makedirs(self.directory, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in message.recipient)
        path = os.path.join(self.directory, f"{message.id:06d}-{safe}.eml")
        with open(path, "wb") as handle:
            handle.write(email.as_bytes())


class SMTPTransport:
    """One SMTP connection reused for a whole batch; reconnects if the server drops it."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c["MAIL_USE_SSL"]:
            conn = smtplib.SMTP_SSL(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"],
                                    context=context)
        else:
            conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=context)
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        return conn

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except smtplib.SMTPException:
                self.connection.close()
            except OSError:
                pass
            self.connection = None

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.send_message(email)
                return
            except smtplib.SMTPServerDisconnected:
                self.connection = None
                if attempt == 2:
                    raise


def make_transport(config):
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])
