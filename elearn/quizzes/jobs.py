"""Periodic jobs of the quizzes: close attempts whose time limit has passed."""

from __future__ import annotations

import logging

from elearn.extensions import db
from elearn.mail.scheduler import job
from elearn.quizzes.attempts import close_expired

log = logging.getLogger(__name__)


@job("quiz-close-expired", 60)
def close_expired_attempts() -> int:
    """Close and grade, with their saved answers, the attempts past their deadline.

    Learners' pages do the same on access; this job closes the attempts of those who
    never come back, so their scores, results and the ``quiz_passed`` signal do not wait.
    """
    closed = close_expired()
    db.session.commit()
    if closed:
        log.info("Closed %d quiz attempt(s) past their deadline", closed)
    return closed
