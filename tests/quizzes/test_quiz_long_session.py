"""A learner who takes longer than an hour over a quiz without a time limit can still
submit it: the page's CSRF token does not expire while the session lives."""

from __future__ import annotations

import re
import time

from config import Config
from elearn.quizzes.models import QuizAttempt


class _Later:
    """``time`` as itsdangerous reads it, ``seconds`` from now."""

    def __init__(self, seconds: int):
        self.seconds = seconds

    def time(self) -> float:
        return time.time() + self.seconds


def test_csrf_tokens_live_as_long_as_the_session():
    assert Config.WTF_CSRF_TIME_LIMIT is None


def _open_quiz(app, client, db, quiz_course, enrolled, login,
               monkeypatch) -> tuple[QuizAttempt, str]:
    """A learner opens a quiz without a time limit: the attempt and the page's token.

    CSRF is checked from here on, as in production (the test configuration turns it off).
    """
    quiz_course.time_limit_minutes = None
    db.session.commit()
    login(enrolled())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/courses/customs-quiz/quiz").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/courses/customs-quiz/quiz/start",
                       data={"csrf_token": token}).status_code == 302
    attempt = db.session.execute(db.select(QuizAttempt)).scalar_one()
    page = client.get(f"/quiz/attempts/{attempt.id}").get_data(as_text=True)
    return attempt, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_quiz_submitted_two_hours_after_it_was_opened_is_accepted(
        app, client, db, quiz_course, enrolled, login, monkeypatch):
    attempt, token = _open_quiz(app, client, db, quiz_course, enrolled, login, monkeypatch)
    monkeypatch.setattr("itsdangerous.timed.time", _Later(2 * 3600))

    done = client.post(f"/quiz/attempts/{attempt.id}",
                       data={"csrf_token": token, "submit": "1"})

    assert done.status_code == 303 and done.headers["Location"].endswith("/review")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).submitted_at is not None


def test_with_flask_wtf_s_one_hour_default_the_same_submit_was_refused(
        app, client, db, quiz_course, enrolled, login, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 3600)
    attempt, token = _open_quiz(app, client, db, quiz_course, enrolled, login, monkeypatch)
    monkeypatch.setattr("itsdangerous.timed.time", _Later(2 * 3600))

    refused = client.post(f"/quiz/attempts/{attempt.id}",
                          data={"csrf_token": token, "submit": "1"})

    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).submitted_at is None
