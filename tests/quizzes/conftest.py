"""A published course with a closing quiz on a bank that has every question type."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from elearn.quizzes import banks
from tests.quizzes.quiz_helpers import ALL_TYPES, START


@pytest.fixture
def quiz_course(db):
    """A published course "customs-quiz" whose quiz draws all 8 questions of its bank:
    pass mark 80, 2 attempts, 20 minutes, feedback and right answers shown."""
    from elearn.courses.models import Course, CourseText, Theme

    theme = Theme(slug="customs", title="Customs and trade")
    course = Course(
        slug="customs-quiz", theme=theme, language="en", minutes=60, published=True,
        quiz_bank="all-types", pass_mark=80, attempts_allowed=2, time_limit_minutes=20,
        questions_per_attempt=8, shuffle_answers=True, show_feedback=True,
        show_correct_answers=True,
    )
    course.texts.append(CourseText(language="en", title="Trade controls", summary="Customs."))
    db.session.add(course)
    banks.import_bank("all-types", ALL_TYPES, title="All types")
    db.session.commit()
    return course


@pytest.fixture
def enrolled(db, quiz_course, make_user):
    """enrolled(**user fields) -> a learner enrolled in ``quiz_course``."""
    from elearn.courses.services import enrol

    def make(**fields):
        fields.setdefault("timezone", "Africa/Nairobi")
        user = make_user(**fields)
        enrol(user, quiz_course)
        db.session.commit()
        return user

    return make


@pytest.fixture
def clock(monkeypatch):
    """A clock the quiz services read; ``clock.now`` can be moved, ``clock.advance(m)``."""

    class Clock:
        now = START

        def advance(self, minutes: float) -> datetime:
            self.now = self.now + timedelta(minutes=minutes)
            return self.now

    fake = Clock()
    monkeypatch.setattr("elearn.quizzes.attempts.clock", lambda: fake.now)
    return fake


