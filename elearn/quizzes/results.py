"""What trainers see of a course's quiz: every attempt, per-question statistics, CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from elearn.accounts.models import User
from elearn.extensions import db
from elearn.quizzes.models import AttemptAnswer, AttemptState, BankQuestion, QuizAttempt

CLOSED = (AttemptState.GRADED.value, AttemptState.NEEDS_GRADING.value)


def course_attempts(course) -> list[QuizAttempt]:
    """Every attempt at the course's quiz, by learner name then attempt number."""
    return list(db.session.execute(
        select(QuizAttempt).join(User, QuizAttempt.user_id == User.id)
        .where(QuizAttempt.course_id == course.id)
        .options(selectinload(QuizAttempt.user))
        .order_by(User.name, User.id, QuizAttempt.number)
    ).scalars())


@dataclass
class Summary:
    learners: int
    attempts: int
    passed: int
    needs_grading: int
    #: Mean of each learner's best score (the one that counts); None without scores.
    mean_best: float | None


def summarise(attempts: list[QuizAttempt]) -> Summary:
    best: dict[int, float] = {}
    for attempt in attempts:
        if attempt.score is not None:
            best[attempt.user_id] = max(best.get(attempt.user_id, 0.0), attempt.score)
    passed = {a.user_id for a in attempts if a.passed}
    return Summary(
        learners=len({a.user_id for a in attempts}), attempts=len(attempts),
        passed=len(passed),
        needs_grading=sum(1 for a in attempts if a.state == AttemptState.NEEDS_GRADING.value),
        mean_best=round(sum(best.values()) / len(best), 1) if best else None,
    )


@dataclass
class QuestionStat:
    """How learners did on one question (version) in submitted attempts."""

    question: BankQuestion
    #: Graded answers to it.
    answered: int
    #: Share of those that earned full marks (0..1): low values point at bad questions.
    share_correct: float
    #: Mean credit earned (0..1), partial credit included.
    mean_fraction: float


def question_stats(course) -> list[QuestionStat]:
    """Per question drawn in the course's closed attempts, hardest first."""
    full = case((AttemptAnswer.fraction >= 1 - 1e-6, 1), else_=0)
    rows = db.session.execute(
        select(AttemptAnswer.question_id, func.count(), func.sum(full),
               func.avg(AttemptAnswer.fraction))
        .join(QuizAttempt, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.course_id == course.id, QuizAttempt.state.in_(CLOSED),
               AttemptAnswer.fraction.is_not(None))
        .group_by(AttemptAnswer.question_id)
    ).all()
    questions = {q.id: q for q in db.session.execute(
        select(BankQuestion).where(BankQuestion.id.in_([r[0] for r in rows]))
    ).scalars()} if rows else {}
    stats = [QuestionStat(questions[qid], count, (correct or 0) / count, float(mean or 0.0))
             for qid, count, correct, mean in rows]
    return sorted(stats, key=lambda s: (s.share_correct, s.mean_fraction, s.question.position))


CSV_HEADER = ["attempt", "name", "email", "country", "organisation", "number", "started_at",
              "submitted_at", "closed_by_deadline", "state", "score", "passed"]


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def results_csv(course) -> str:
    """Every attempt as CSV (UTF-8, times in UTC ISO 8601), one row per attempt."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for a in course_attempts(course):
        user = a.user
        writer.writerow([_cell(v) for v in (
            a.id, user.name, user.email, user.country, user.organisation, a.number,
            _when(a.started_at), _when(a.submitted_at), "yes" if a.closed_by_deadline else "no",
            a.state, "" if a.score is None else f"{a.score:.2f}",
            "" if a.passed is None else ("yes" if a.passed else "no"),
        )])
    return out.getvalue()
