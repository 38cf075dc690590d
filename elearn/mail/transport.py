"""Getting a message out: SMTP when MAIL_SERVER is set, else .eml files to read locally."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import smtplib
import ssl
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

from elearn.db import utcnow
from elearn.mail.models import OutboxMessage

CRLF = b"\r\n"


def _qp(text: str) -> bytes:
    """UTF-8 text as quoted-printable with CRLF line ends (binascii does it in C)."""
    body = text if text.endswith("\n") else text + "\n"
    data = body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def encode_header(value: str) -> str:
    """A header value as it goes on the wire: ASCII as it is, anything else as RFC 2047
    base64 encoded words (64 characters each), one per line, so lines stay under 78."""
    if value.isascii():
        return value
    words, chunk = [], b""
    for char in value:
        encoded = char.encode("utf-8")
        if len(chunk) + len(encoded) > 39:  # 39 bytes: 52 characters, 64 as a word
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


@lru_cache(maxsize=8)
def _from_header(sender: str) -> str:
    return formataddr(parseaddr(sender), charset="utf-8")


def envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


def _part(headers: list[str], body: bytes) -> bytes:
    return "\r\n".join(headers).encode("utf-8") + CRLF + CRLF + body


def _multipart(subtype: str, parts: list[bytes]) -> tuple[str, bytes]:
    boundary = f"=_{secrets.token_hex(12)}"
    body = b"".join(b"--" + boundary.encode() + CRLF + part + CRLF for part in parts)
    return (f'multipart/{subtype}; boundary="{boundary}"',
            body + b"--" + boundary.encode() + b"--" + CRLF)


def _attachment(attachment) -> bytes:
    maintype, _, rest = attachment.content_type.partition("/")
    subtype, *params = [part.strip() for part in rest.split(";")]
    extra = "".join(f'; {k.strip()}="{v.strip()}"' for k, v in
                    (p.split("=", 1) for p in params if "=" in p))
    return _part([f"Content-Type: {maintype}/{subtype}{extra}",
                  "Content-Transfer-Encoding: base64",
                  f'Content-Disposition: attachment; filename="{attachment.filename}"'],
                 _base64(attachment.data))


def build_email(message: OutboxMessage, sender: str) -> bytes:
    """The message as sent: text, HTML alternative, attachments; headers; CRLF lines.

    Written out directly rather than through the email package's classes and generator,
    which spent ~3 ms per message parsing and refolding headers they had just been given
    (two thirds of a delivery run's time); the structure is the same, and the tests read
    every message back with the email package's parser.
    """
    text = ['Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable"]
    content_type, body = None, _part(text, _qp(message.body_text))
    if message.body_html:
        html = ['Content-Type: text/html; charset="utf-8"',
                "Content-Transfer-Encoding: quoted-printable"]
        content_type, body = _multipart(
            "alternative", [body, _part(html, _qp(message.body_html))])
    if message.attachments:
        inner = body if content_type is None else _part([f"Content-Type: {content_type}"], body)
        content_type, body = _multipart(
            "mixed", [inner, *(_attachment(a) for a in message.attachments)])
    if content_type is None:  # a single text part: its own headers are the message's
        head, _, body = body.partition(CRLF + CRLF)
        part_headers = head.decode("ascii").split("\r\n")
    else:
        part_headers = [f"Content-Type: {content_type}"]
    headers = [
        f"From: {_from_header(sender)}",
        f"To: {message.recipient}",  # an address is never an encoded word
        f"Subject: {encode_header(message.subject)}",
        f"Message-ID: {message.message_id}",
        f"Date: {format_datetime(message.sent_at or utcnow())}",
        f"Content-Language: {message.language}",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        *part_headers,
    ]
    return _part(headers, body)


class FileTransport:
    """Writes each message to ``<dir>/<id>-<recipient>.eml`` for a newcomer to read."""

    def __init__(self, directory: str):
        self.directory = directory

    def __enter__(self):
        os.makedirs(self.directory, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, data: bytes, message) -> None:
        """``message``: the outbox row being sent (its ``id`` and ``recipient``)."""
        safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in message.recipient)
        path = os.path.join(self.directory, f"{message.id:06d}-{safe}.eml")
        with open(path, "wb") as handle:
            handle.write(data)


class SMTPTransport:
    """One SMTP connection reused for a whole batch; reconnects if the server drops it."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None
        self.sender = envelope_sender(config["MAIL_DEFAULT_SENDER"])

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        # Only for TLS: loading the system's CA store costs ~30 ms per connection.
        if c["MAIL_USE_SSL"]:
            conn = smtplib.SMTP_SSL(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"],
                                    context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=ssl.create_default_context())
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

    def send(self, data: bytes, message) -> None:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                self.connection.sendmail(self.sender, [message.recipient], data)
                return
            except smtplib.SMTPServerDisconnected:
                self.connection = None
                if attempt == 2:
                    raise


def make_transport(config):
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])
