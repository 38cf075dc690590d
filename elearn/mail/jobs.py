"""Periodic jobs of the mail outbox."""

from __future__ import annotations

import logging

from elearn.mail.delivery import deliver_due
from elearn.mail.scheduler import job

log = logging.getLogger(__name__)


@job("mail-delivery", "MAIL_DELIVERY_INTERVAL")
def deliver_mail() -> None:
    report = deliver_due()
    if report.claimed or report.released or report.expired:
        log.info("Mail delivery: %s", report)
