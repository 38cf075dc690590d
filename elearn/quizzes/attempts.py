"""Quiz attempts: start or resume, save answers as you go, submit, close at the deadline.

The pages, the JSON API and the scheduler's job all come here. Functions flush and never
commit. Every function that depends on the time takes ``now`` (default :func:`clock`,
which tests may replace).

Rules, enforced here and nowhere else:

* only an enrolled learner may start a course's quiz, at most ``attempts_allowed``
  times (0: no limit); starting while an attempt is open resumes that attempt;
* answers are accepted only while the attempt is open and before its deadline;
* an attempt past its deadline is closed and graded with what was saved, on the next
  access or by the ``quiz-close-expired`` job, whichever comes first: a conditional
  UPDATE (``in_progress`` -> ``submitted``) lets exactly one of them close it;
* grading is in :mod:`elearn.quizzes.scoring`.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select, update

from elearn.courses.services import get_enrolment
from elearn.db import utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.quizzes.banks import find_bank
from elearn.quizzes.gift import QuestionType
from elearn.quizzes.grading import decode_response
from elearn.quizzes.models import AttemptAnswer, AttemptState, QuestionBank, QuizAttempt
from elearn.quizzes.scoring import grade_attempt

#: Longest text kept for a short or numerical answer, and for an essay (characters).
MAX_SHORT_RESPONSE = 500
MAX_ESSAY_RESPONSE = 20_000


def clock() -> datetime:
    """The current time (UTC). Tests monkeypatch this to move the clock."""
    return utcnow()


class QuizUnavailable(DomainError):
    status = 404


class NotEnrolled(DomainError):
    status = 403


class AttemptLimitReached(DomainError):
    status = 409


class AttemptClosed(DomainError):
    """An answer or a submission for an attempt that is no longer open."""

    status = 409


class InvalidAnswer(DomainError):
    status = 422


# --------------------------------------------------------------------------- reading


def quiz_bank(course) -> QuestionBank:
    """The bank ``course``'s quiz draws from; ``QuizUnavailable`` if it has none."""
    if not course.quiz_bank:
        raise QuizUnavailable(_("This course has no quiz."))
    bank = find_bank(course.quiz_bank)
    if bank is None or not any(q.is_graded for q in bank.active_questions):
        raise QuizUnavailable(_("The quiz of this course is not available yet: its question "
                                "bank has not been loaded."), status=409)
    return bank


def user_attempts(user, course) -> list[QuizAttempt]:
    return list(db.session.execute(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                  QuizAttempt.course_id == course.id)
        .order_by(QuizAttempt.number)
    ).scalars())


def get_attempt(user, attempt_id: int) -> QuizAttempt:
    """The user's own attempt; any other attempt is "not found", even for trainers."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise DomainError(_("There is no such attempt."), status=404)
    return attempt


def time_left(attempt: QuizAttempt, now: datetime | None = None) -> timedelta | None:
    """Time until the deadline (never negative); None without a time limit."""
    if attempt.deadline is None:
        return None
    return max(attempt.deadline - (now or clock()), timedelta(0))


def is_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    return attempt.deadline is not None and (now or clock()) >= attempt.deadline


@dataclass
class QuizStatus:
    """A learner's standing in a course's quiz."""

    attempts: list[QuizAttempt]
    #: The attempt in progress, to resume.
    open_attempt: QuizAttempt | None
    #: The graded attempt with the best score (the one that counts).
    best: QuizAttempt | None
    #: Attempts still allowed (None: no limit).
    remaining: int | None

    @property
    def passed(self) -> bool:
        return bool(self.best and self.best.passed)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and (self.remaining is None or self.remaining > 0)


def best_attempt(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    """The best-scoring graded attempt (the earliest of equals); the one that counts."""
    graded = [a for a in attempts if a.score is not None]
    return max(graded, key=lambda a: (a.score, -a.number)) if graded else None


def first_pass(user, course) -> QuizAttempt | None:
    """The attempt with which the learner first passed the course's quiz (the one
    ``quiz_passed`` announced), or None: what completion rules and certificates ask."""
    return db.session.execute(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                  QuizAttempt.course_id == course.id,
                                  QuizAttempt.passed_at.is_not(None))
        .order_by(QuizAttempt.passed_at, QuizAttempt.id).limit(1)
    ).scalar_one_or_none()


def quiz_status(user, course, now: datetime | None = None) -> QuizStatus:
    """The learner's attempts (closing one whose time ran out) and what they may do."""
    attempts = user_attempts(user, course)
    for attempt in attempts:
        close_if_expired(attempt, now)
    open_attempt = next((a for a in attempts if a.is_open), None)
    remaining = None
    if course.attempts_allowed:
        remaining = max(course.attempts_allowed - len(attempts), 0)
    return QuizStatus(attempts, open_attempt, best_attempt(attempts), remaining)


# --------------------------------------------------------------------------- changing


def start_attempt(user, course, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> tuple[QuizAttempt, bool]:
    """Start an attempt, or resume the open one: ``(attempt, created)``.

    Draws ``questions_per_attempt`` questions at random (all if the bank has fewer)
    and a secret shuffle seed; sets the deadline from the time limit.
    """
    now = now or clock()
    bank = quiz_bank(course)
    if get_enrolment(user, course) is None:
        raise NotEnrolled(_("Enrol in this course before you take its quiz."))
    status = quiz_status(user, course, now)
    if status.open_attempt is not None:
        return status.open_attempt, False
    if not status.can_start:
        raise AttemptLimitReached(ngettext(
            "You have used your only attempt at this quiz.",
            "You have used all %(num)d attempts at this quiz.", course.attempts_allowed))
    pool = [q for q in bank.active_questions if q.is_graded]
    count = min(course.questions_per_attempt or len(pool), len(pool))
    drawn = (rng or random.SystemRandom()).sample(pool, count)
    attempt = QuizAttempt(
        user_id=user.id, course_id=course.id, bank_id=bank.id,
        number=max((a.number for a in status.attempts), default=0) + 1,
        shuffle_seed=secrets.token_hex(16), shuffle_answers=course.shuffle_answers,
        pass_mark=course.pass_mark, state=AttemptState.IN_PROGRESS.value, started_at=now,
        deadline=now + timedelta(minutes=course.time_limit_minutes)
        if course.time_limit_minutes else None,
    )
    attempt.answers = [AttemptAnswer(question=row, slot=slot)
                       for slot, row in enumerate(drawn, start=1)]
    db.session.add(attempt)
    db.session.flush()
    return attempt, True


def _claim(attempt: QuizAttempt, closed_at: datetime, by_deadline: bool) -> bool:
    """Move an open attempt to ``submitted``; False if another request closed it first."""
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id,
               QuizAttempt.state == AttemptState.IN_PROGRESS.value)
        .values(state=AttemptState.SUBMITTED.value, submitted_at=closed_at,
                closed_by_deadline=by_deadline)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    return result.rowcount == 1


def close_if_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Close and grade an open attempt whose deadline has passed; True if this call did."""
    now = now or clock()
    if not attempt.is_open or not is_expired(attempt, now):
        return False
    if not _claim(attempt, attempt.deadline, by_deadline=True):
        return False
    grade_attempt(attempt, now)
    return True


def close_expired(now: datetime | None = None, *, course=None, limit: int = 500) -> int:
    """Close and grade every open attempt past its deadline (the scheduler's job), or
    only those of ``course``; returns how many this call closed."""
    now = now or clock()
    stmt = (
        select(QuizAttempt.id)
        .where(QuizAttempt.state == AttemptState.IN_PROGRESS.value,
               QuizAttempt.deadline.is_not(None), QuizAttempt.deadline <= now)
        .order_by(QuizAttempt.deadline).limit(limit)
    )
    if course is not None:
        stmt = stmt.where(QuizAttempt.course_id == course.id)
    ids = db.session.execute(stmt).scalars().all()
    closed = 0
    for attempt_id in ids:
        attempt = db.session.get(QuizAttempt, attempt_id)
        if attempt is not None and close_if_expired(attempt, now):
            closed += 1
    return closed


def refuse_if_closed(attempt: QuizAttempt, now: datetime) -> None:
    """``AttemptClosed`` with the reason when answers can no longer be accepted."""
    if attempt.is_open and not is_expired(attempt, now):
        return
    if attempt.closed_by_deadline or (attempt.is_open and is_expired(attempt, now)):
        raise AttemptClosed(_("The time limit of this attempt has passed: it was closed and "
                              "graded with the answers saved before the deadline. Answers "
                              "sent after the deadline were not saved."))
    raise AttemptClosed(_("This attempt has been submitted: its answers can no longer be "
                          "changed."))


def _normalise(question, seed: str, value: object) -> object:
    """The response to store (screen keys, JSON-ready); ``ValueError`` if not valid."""
    t = question.type
    if value is None:
        return None
    if t is QuestionType.MULTIRESPONSE:
        values = value if isinstance(value, list | tuple | set) else [value]
        keys = sorted({int(v) if isinstance(v, str) and v.strip().isdigit() else v
                       for v in values if v != ""})
        stored: object = keys or None
    elif t is QuestionType.MATCHING:
        if not isinstance(value, Mapping):
            raise ValueError("expected a mapping of items to choices")
        if any(isinstance(v, bool | float) for v in value.values()):
            raise ValueError("expected choice keys")
        stored = {str(int(k)): (None if v in ("", None) else int(v))
                  for k, v in value.items()}
        stored = stored if any(v is not None for v in stored.values()) else None
    elif t in (QuestionType.SHORTANSWER, QuestionType.NUMERICAL, QuestionType.ESSAY):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("expected text")
        limit = MAX_ESSAY_RESPONSE if t is QuestionType.ESSAY else MAX_SHORT_RESPONSE
        text = str(value).replace("\r\n", "\n")
        if len(text) > limit:
            raise ValueError(f"longer than {limit} characters")
        stored = text if text.strip() else None
    else:
        if value == "":
            return None
        if isinstance(value, bool) and t is QuestionType.TRUEFALSE:
            value = 0 if value else 1  # the screen keys of "True" and "False"
        stored = int(value) if isinstance(value, str) and value.strip().isdigit() else value
    if stored is not None:
        decode_response(question, seed, stored)  # a key the page did not offer -> ValueError
    return stored


def save_answers(attempt: QuizAttempt, responses: Mapping[object, object], *,
                 now: datetime | None = None) -> int:
    """Store the responses (``{slot: response in screen keys}``) of an open attempt.

    Slots left out keep their saved response; ``None`` or blank clears one. Every
    response is checked first: one that the page could not have sent (unknown slot,
    a key not offered) raises ``InvalidAnswer`` and nothing is saved. Returns the number
    of responses that changed.
    """
    now = now or clock()
    refuse_if_closed(attempt, now)
    by_slot = {a.slot: a for a in attempt.answers}
    updates: dict[AttemptAnswer, object] = {}
    errors: dict[str, list[str]] = {}
    for key, value in responses.items():
        slot = int(key) if isinstance(key, int) or str(key).isdigit() else None
        answer = by_slot.get(slot) if slot is not None else None
        if answer is None:
            errors[str(key)] = [_("This attempt has no question %(slot)s.", slot=key)]
            continue
        try:
            updates[answer] = _normalise(answer.question.question, attempt.shuffle_seed, value)
        except (ValueError, TypeError):
            errors[str(key)] = [_("This answer is not one of the options offered.")]
    if errors:
        raise InvalidAnswer(_("Some answers were not valid; nothing was saved."), errors=errors)
    touched = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id,
               QuizAttempt.state == AttemptState.IN_PROGRESS.value,
               or_(QuizAttempt.deadline.is_(None), QuizAttempt.deadline > now))
        .values(saved_at=now).execution_options(synchronize_session=False)
    )
    if touched.rowcount != 1:  # closed by another request since we read it
        db.session.refresh(attempt)
        refuse_if_closed(attempt, now)
    attempt.saved_at = now
    changed = 0
    for answer, value in updates.items():
        if answer.response != value:
            answer.response = value
            changed += 1
    db.session.flush()
    return changed


def submit_attempt(attempt: QuizAttempt, *, now: datetime | None = None) -> QuizAttempt:
    """Close the open attempt and grade it (``AttemptClosed`` if it is not open)."""
    now = now or clock()
    refuse_if_closed(attempt, now)
    if not _claim(attempt, now, by_deadline=False):
        refuse_if_closed(attempt, now)
        raise AttemptClosed(_("This attempt has been submitted already."))
    grade_attempt(attempt, now)
    return attempt
