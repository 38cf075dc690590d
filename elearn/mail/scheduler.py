"""The APScheduler process that runs periodic jobs (mail delivery first of all).

Production runs it as its own process: ``flask scheduler run``. ``make run`` sets
SCHEDULER_IN_PROCESS so the development server starts it once, in the process that
serves (never in the reloader's watcher process).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from flask import Flask

from elearn.db import utcnow

log = logging.getLogger(__name__)

#: (job id, function run inside an app context, interval config key or seconds).
JOBS: list[tuple[str, Callable[[], object], str | int]] = []


def job(job_id: str, every: str | int):
    """Register a periodic job; ``every`` is a config key or a number of seconds."""

    def decorator(func):
        JOBS.append((job_id, func, every))
        return func

    return decorator


def _load_jobs() -> None:
    """Import the modules that declare jobs, so the registry is complete."""
    import elearn.mail.jobs  # noqa: F401
    import elearn.quizzes.jobs  # noqa: F401


def _wrap(app: Flask, func):
    def run():
        with app.app_context():
            try:
                func()
            except Exception:
                log.exception("Scheduled job %s failed", func.__name__)
                from elearn.extensions import db

                db.session.rollback()
            finally:
                from elearn.extensions import db

                db.session.remove()

    return run


def build_scheduler(app: Flask, scheduler_class):
    _load_jobs()
    scheduler = scheduler_class(timezone="UTC")
    for job_id, func, every in JOBS:
        seconds = app.config[every] if isinstance(every, str) else every
        scheduler.add_job(
            _wrap(app, func), "interval", seconds=seconds, id=job_id,
            max_instances=1, coalesce=True, next_run_time=utcnow(),
        )
    return scheduler


def start_in_process(app: Flask) -> None:
    if not app.config.get("SCHEDULER_IN_PROCESS"):
        return
    # Werkzeug's reloader runs a watcher process and a serving child; only the child serves.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    if app.extensions.get("elearn_scheduler"):
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    app.extensions["elearn_scheduler"] = scheduler
    log.info("Scheduler started in process %s", os.getpid())
