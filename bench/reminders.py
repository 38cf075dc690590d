"""Reminder delivery: 20,000 due reminders, two scheduler processes, one local SMTP server.

The reminders are real ones: a few hundred are rendered by the webinar feature's own
reminder code for seeded registrations (every language), and copied to 20,000 outbox
rows, each with its own recipient, Message-ID and reference, due a minute ago. Then two
``flask scheduler run`` processes start at once against an aiosmtpd server in a third
process; the run ends when no message is left pending or being sent.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path

from bench.servers import RESULTS, ROOT, child_env, free_port, stop

#: Distinct reminders rendered by the application itself, then copied.
RENDERED = 300


def queue(count: int) -> int:
    """Cancel whatever else is pending (the burst's mail), queue ``count`` due reminders."""
    from sqlalchemy import func, select, update

    from elearn.db import utcnow
    from elearn.extensions import db
    from elearn.mail.models import MailStatus, OutboxMessage
    from elearn.mail.services import render_mail
    from elearn.webinars.models import Registration, Webinar
    from elearn.webinars.notifications import _context

    db.session.execute(update(OutboxMessage).where(
        OutboxMessage.status.in_([MailStatus.PENDING.value, MailStatus.SENDING.value])
    ).values(status=MailStatus.CANCELLED.value))
    db.session.commit()
    now = utcnow()
    registrations = db.session.execute(
        select(Registration).join(Webinar)
        .where(Registration.status == "confirmed", Webinar.starts_at > now)
        .order_by(func.random()).limit(RENDERED)
    ).scalars().all()
    rendered = []
    for registration in registrations:
        subject, text, html = render_mail("webinars/reminder", registration.language,
                                          _context(registration, offset=60))
        rendered.append((registration, subject, text, html))
    rows = []
    for n in range(count):
        registration, subject, text, html = rendered[n % len(rendered)]
        rows.append({
            "recipient": f"reminder-{n:05d}@example.net", "language": registration.language,
            "subject": subject, "body_text": text, "body_html": html,
            "template": "webinars/reminder",
            "reference": f"bench-reminder:{n}", "send_after": now - timedelta(minutes=1),
            "expires_at": now + timedelta(hours=2), "status": MailStatus.PENDING.value,
            "attempts": 0, "message_id": make_msgid(idstring=secrets.token_hex(8),
                                                    domain="bench.elearn.invalid"),
            "created_at": now,
        })
    db.session.execute(OutboxMessage.__table__.insert(), rows)
    db.session.commit()
    return db.session.execute(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.PENDING.value)
    ).scalar_one()


def outstanding() -> dict[str, int]:
    from sqlalchemy import func, select

    from elearn.extensions import db
    from elearn.mail.models import OutboxMessage

    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).where(
            OutboxMessage.reference.like("bench-reminder:%")).group_by(OutboxMessage.status)
    ).all()
    db.session.rollback()
    return dict(rows)


def run(database_url: str, count: int = 20_000, processes: int = 2,
        timeout: float = 300) -> dict:
    queued = queue(count)
    port = free_port()
    sink_out = RESULTS / "smtp-sink.json"
    sink_out.unlink(missing_ok=True)
    sink_log = open(RESULTS / "smtp-sink.log", "wb")  # noqa: SIM115
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", "--port", str(port),
                             "--out", str(sink_out)], cwd=ROOT, env=child_env(),
                            stdout=sink_log, stderr=subprocess.STDOUT)
    time.sleep(1.0)
    env = child_env(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
                    MAIL_DELIVERY_INTERVAL="2")
    logs = [open(RESULTS / f"scheduler-{i}.log", "wb") for i in range(processes)]  # noqa: SIM115
    started = time.perf_counter()
    schedulers = [subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                  for log in logs]
    state: dict[str, int] = {}
    try:
        while time.perf_counter() - started < timeout:
            state = outstanding()
            if not state.get("pending") and not state.get("sending"):
                break
            if any(p.poll() is not None for p in schedulers):
                raise RuntimeError("a scheduler process exited; see bench/results/scheduler-*.log")
            time.sleep(0.25)
        wall = time.perf_counter() - started
    finally:
        for process in schedulers:
            stop(process)
        stop(sink)
        for log in [*logs, sink_log]:
            log.close()
    received = json.loads(Path(sink_out).read_text())
    window = (received["last"] or 0) - (received["first"] or 0)
    delivered = received["distinct"]
    return {
        "queued": count, "pending_at_start": queued, "processes": processes,
        "received": received["received"], "distinct": delivered,
        "duplicates": received["received"] - delivered, "lost": count - delivered,
        "sent_in_db": state.get("sent", 0), "failed_in_db": state.get("failed", 0),
        "wall_seconds": wall, "window_seconds": window,
        "per_second": delivered / window if window else 0.0,
        "per_second_wall": delivered / wall if wall else 0.0,
    }
