"""The outbox: queueing, delivery over real SMTP, retries, crash recovery, many workers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from elearn.db import utcnow
from elearn.mail.delivery import deliver_due
from elearn.mail.models import MailStatus, OutboxMessage
from elearn.mail.services import Attachment, queue_mail
from tests.conftest import mail_body

ROOT = Path(__file__).resolve().parent.parent


def _queue(n: int, **kwargs) -> list[OutboxMessage]:
    from types import SimpleNamespace

    user = SimpleNamespace(name="Test Person")
    return [
        queue_mail(to=f"p{i}@example.org", template="accounts/reset_password",
                   context={"user": user, "reset_url": "http://x/r", "minutes": 120}, **kwargs)
        for i in range(n)
    ]


def test_queue_mail_belongs_to_the_callers_transaction(db):
    _queue(2)
    db.session.rollback()
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar() == 0
    _queue(2)
    db.session.commit()
    assert db.session.execute(select(func.count(OutboxMessage.id))).scalar() == 2


def test_mail_is_rendered_in_the_recipients_language(db):
    [message] = _queue(1, language="fr")
    assert message.language == "fr"
    assert message.subject == "Choisissez un nouveau mot de passe"
    assert 'lang="fr"' in message.body_html
    [arabic] = _queue(1, language="ar")
    assert 'dir="rtl"' in arabic.body_html


def test_delivery_over_smtp_with_text_html_and_attachment(db, smtp_server):
    [message] = _queue(1, attachments=[Attachment("invite.ics",
                                                  "text/calendar; method=REQUEST",
                                                  b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    db.session.commit()
    report = deliver_due()
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    [received] = smtp_server.messages
    assert received["To"] == "p0@example.org"
    assert received["Message-ID"].strip() == message.message_id
    assert "http://x/r" in mail_body(received)
    assert received.get_body(preferencelist=("html",)) is not None
    [part] = list(received.iter_attachments())
    assert part.get_filename() == "invite.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    db.session.refresh(message)
    assert message.status == MailStatus.SENT and message.sent_at and message.attempts == 1


def test_messages_read_back_as_written_in_every_script():
    """The wire format is written by hand (elearn.mail.transport): the email package's
    parser must read back exactly what was queued, whatever the script and length."""
    from email import message_from_bytes, policy
    from types import SimpleNamespace

    from elearn.mail.transport import build_email

    subject = ("Rappel : « Inventaires de dioxines » — 明天开始 — تذكير بالندوة " * 2).strip()
    text = ("Bonjour Aïcha,\n\n.\nA line with a trailing space \n" + "é" * 120
            + "\nتبدأ الندوة غدا\n")
    html = "<p dir=\"rtl\">مرحبا</p>\n<p>" + "x" * 200 + "</p>\n"
    row = SimpleNamespace(
        body_text=text, body_html=html, recipient="p@example.org", subject=subject,
        message_id="<1@elearn.test>", sent_at=None, language="ar",
        attachments=[SimpleNamespace(content_type="text/calendar; method=CANCEL",
                                     filename="cancel.ics", data=b"BEGIN:VCALENDAR\r\n")])
    raw = build_email(row, "Programme Secrétariat <no-reply@elearn.test>")
    assert all(len(line) <= 78 for line in raw.split(b"\r\n")) and b"\n" not in raw.replace(
        b"\r\n", b"")
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"] == subject
    assert mail["From"].addresses[0].display_name == "Programme Secrétariat"
    assert mail["Content-Language"] == "ar"
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain == text
    assert mail.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    [invite] = mail.iter_attachments()
    assert (invite.get_param("method"), invite.get_payload(decode=True)) == (
        "CANCEL", b"BEGIN:VCALENDAR\r\n")
    single = message_from_bytes(build_email(
        SimpleNamespace(**{**vars(row), "body_html": "", "attachments": []}), "a@b.c"),
        policy=policy.default)
    assert single.get_content_type() == "text/plain"
    assert single.get_content().replace("\r\n", "\n") == text


def test_every_outcome_is_recorded_when_a_batch_spans_several_commit_groups(
        app, db, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_COMMIT_EVERY", 3)
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 8)
    _queue(10)
    db.session.commit()
    smtp_server.refuse.add("p4@example.org")
    report = deliver_due()
    assert (report.sent, report.retried) == (9, 1)
    assert len(smtp_server.messages) == 9
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage)).scalars().all()
    by_status = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row)
    assert len(by_status["sent"]) == 9
    assert all(r.attempts == 1 and r.sent_at and r.claim_token is None
               for r in by_status["sent"])
    [retry] = by_status["pending"]
    assert retry.recipient == "p4@example.org" and retry.attempts == 1 and "550" in retry.last_error
    assert deliver_due().sent == 0  # nothing left claimed or due


def test_messages_are_not_sent_before_send_after(db, smtp_server):
    later = utcnow() + timedelta(hours=1)
    _queue(1, send_after=later)
    db.session.commit()
    assert deliver_due().sent == 0
    assert deliver_due(now=later + timedelta(seconds=1)).sent == 1
    assert len(smtp_server.messages) == 1


def test_refused_mail_is_retried_with_backoff_then_failed(app, db, smtp_server):
    [message] = _queue(1)
    db.session.commit()
    smtp_server.refuse.add("p0@example.org")
    now = utcnow()
    deliver_due(now=now)
    db.session.refresh(message)
    assert message.status == MailStatus.PENDING and message.attempts == 1
    assert "550" in message.last_error
    first_delay = message.send_after - now
    assert first_delay == timedelta(seconds=app.config["MAIL_RETRY_BASE_SECONDS"])
    deliver_due(now=message.send_after)
    db.session.refresh(message)
    assert message.send_after - now > first_delay * 2  # doubled
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        deliver_due(now=message.send_after)
        db.session.refresh(message)
    assert message.status == MailStatus.FAILED
    assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert smtp_server.messages == []


def test_a_crashed_claim_is_released_and_sent_later(app, db, smtp_server):
    from elearn.mail.delivery import claim_due

    _queue(3)
    db.session.commit()
    now = utcnow()
    claimed = claim_due(now, 10)  # a worker claims, then dies before sending
    assert len(claimed) == 3
    assert deliver_due(now=now).sent == 0  # still held by the dead worker
    later = now + timedelta(seconds=app.config["MAIL_CLAIM_TIMEOUT_SECONDS"] + 1)
    report = deliver_due(now=later)
    assert report.released == 3 and report.sent == 3
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "p0@example.org", "p1@example.org", "p2@example.org"]


def test_without_mail_server_messages_land_as_eml_files(app, db):
    _queue(2)
    db.session.commit()
    assert deliver_due().sent == 2
    files = sorted(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(files) >= 2
    assert b"Subject: Choose a new password" in files[-1].read_bytes()
    for f in files:
        f.unlink()


def test_cancel_mail_by_reference(db):
    from elearn.mail.services import cancel_mail

    _queue(2, reference="webinar:1:registration:7:reminder")
    _queue(1, reference="webinar:10:registration:1:reminder")
    db.session.commit()
    assert cancel_mail("webinar:1:") == 2
    db.session.commit()
    statuses = db.session.execute(select(OutboxMessage.status)).scalars().all()
    assert sorted(statuses) == ["cancelled", "cancelled", "pending"]


def _database_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def test_two_scheduler_processes_deliver_200_mails_exactly_once(app, db, smtp_server):
    _queue(200)
    db.session.commit()
    env = dict(
        os.environ,
        FLASK_APP="wsgi.py",
        ELEARN_CONFIG="development",
        DATABASE_URL=_database_url(app),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(app.config["MAIL_PORT"]),
        MAIL_BATCH_SIZE="7",
        MAIL_DELIVERY_INTERVAL="1",
        FLASK_DEBUG="0",
    )
    flask = [sys.executable, "-m", "flask", "scheduler", "run"]
    workers = [
        subprocess.Popen(flask, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(smtp_server.messages) < 200:
            time.sleep(0.2)
        time.sleep(1.5)  # a duplicate would arrive in this window
    finally:
        for worker in workers:
            worker.terminate()
        logs = [worker.communicate(timeout=10)[1].decode() for worker in workers]
    ids = [m["Message-ID"].strip() for m in smtp_server.messages]
    assert len(ids) == 200, logs
    assert len(set(ids)) == 200
    assert {m["To"] for m in smtp_server.messages} == {f"p{i}@example.org" for i in range(200)}
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert counts == {"sent": 200}
    # The two processes' own reports add up to 200: nothing was sent twice.
    sent = [int(n) for log in logs for n in re.findall(r"DeliveryReport\(sent=(\d+)", log)]
    assert sum(sent) == 200, logs


def test_in_process_scheduler_starts_only_in_the_serving_process(monkeypatch, tmp_path):
    from config import TestConfig
    from elearn import create_app

    def make(debug: bool):
        return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/s.db",
                          SCHEDULER_IN_PROCESS=True, DEBUG=debug)

    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    watcher = make(debug=True)  # the reloader's watcher process serves nothing
    assert "elearn_scheduler" not in watcher.extensions
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    serving = make(debug=True)
    scheduler = serving.extensions["elearn_scheduler"]
    try:
        assert sorted(job.id for job in scheduler.get_jobs()) == [
            "mail-delivery", "quiz-close-expired"]
    finally:
        scheduler.shutdown(wait=True)
