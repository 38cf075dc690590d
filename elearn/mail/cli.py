"""``flask mail ...`` and ``flask scheduler run``."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

mail_cli = AppGroup("mail", help="The mail outbox.")
scheduler_cli = AppGroup("scheduler", help="The scheduler process.")


@mail_cli.command("deliver")
@with_appcontext
def deliver_command() -> None:
    """Send every message that is due now, once."""
    from elearn.mail.delivery import deliver_due

    report = deliver_due()
    click.echo(
        f"sent {report.sent}, to retry {report.retried}, failed {report.failed}, "
        f"released stale claims {report.released}, dropped expired {report.expired}"
    )


@mail_cli.command("status")
@with_appcontext
def status_command() -> None:
    """Count outbox messages by status."""
    from sqlalchemy import func, select

    from elearn.extensions import db
    from elearn.mail.models import OutboxMessage

    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    for status, count in sorted(rows):
        click.echo(f"{status}: {count}")


@scheduler_cli.command("run")
@with_appcontext
def run_command() -> None:
    """Run the scheduler in the foreground (the production worker process)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from elearn.mail.scheduler import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app, BlockingScheduler)
    click.echo(f"Scheduler running {len(scheduler.get_jobs())} jobs; Ctrl+C to stop.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
