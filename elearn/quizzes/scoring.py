"""Grading attempts on the server, trainers' essay grades, and the ``quiz_passed`` signal.

Each drawn question is worth the same; a question's credit is Moodle's fraction from
:mod:`elearn.quizzes.grading` (partial credit, negative weights kept within 0..1). The
score is the percentage of the attempt's questions earned. An essay waits for a
trainer (the attempt is ``needs_grading`` and has no score until then); a blank essay
scores 0 at once, as Moodle does. Feedback is stored already rendered (the HTML saved
with the bank), so the review page shows what the learner's response earned then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from elearn.errors import DomainError
from elearn.extensions import db
from elearn.quizzes.grading import decode_response, feedback, state_for
from elearn.quizzes.models import AttemptAnswer, AttemptState, QuizAttempt
from elearn.signals import quiz_passed

#: Moodle's tolerance when comparing fractions (question_state::graded_state_for_fraction).
_EPSILON = 1e-6


def _feedback_html(row, result) -> list[str]:
    """The stored HTML of the feedback texts ``grading.feedback`` picked, in order."""
    question = row.question
    texts: list[str] = []
    for chosen in result.answers:
        for index, answer in enumerate(question.answers):
            if answer.feedback == chosen.text and answer.feedback_format == chosen.text_format:
                texts.append(row.html["answers"][index]["feedback"])
                break
    return texts


def _grade_answer(answer: AttemptAnswer, seed: str) -> bool:
    """Grade one answer in place; True while it waits for a trainer."""
    row = answer.question
    question = row.question
    general = row.html.get("general_feedback", "")
    if question.needs_manual_grading:
        if answer.graded_at is not None:
            state = state_for(answer.fraction, question)
        elif answer.response is None:
            answer.fraction, state = 0.0, "unanswered"
        else:
            answer.fraction = None
            answer.feedback = {"state": "needs_grading", "answers": [], "general": general}
            return True
        answer.feedback = {"state": state, "answers": [], "general": general}
        return False
    result = feedback(question, decode_response(question, seed, answer.response))
    answer.fraction = result.fraction
    state = "unanswered" if answer.response is None else result.state
    answer.feedback = {"state": state, "answers": _feedback_html(row, result),
                       "general": general}
    return False


def grade_attempt(attempt: QuizAttempt, now: datetime) -> None:
    """(Re)grade a closed attempt: each answer, the score, passed; sends ``quiz_passed``
    the first time the learner passes this course's quiz."""
    pending = False
    total, count = 0.0, 0
    for answer in attempt.answers:
        if not answer.question.is_graded:
            continue
        count += 1
        pending = _grade_answer(answer, attempt.shuffle_seed) or pending
        total += answer.fraction or 0.0
    attempt.graded_at = now
    if pending:
        attempt.state = AttemptState.NEEDS_GRADING.value
        attempt.score = attempt.passed = None
    else:
        raw = 100.0 * total / count if count else 0.0
        attempt.state = AttemptState.GRADED.value
        attempt.score = round(raw, 2)
        attempt.passed = raw >= attempt.pass_mark - _EPSILON
    db.session.flush()
    if attempt.passed and attempt.passed_at is None:
        first = not db.session.execute(
            select(QuizAttempt.id).where(
                QuizAttempt.user_id == attempt.user_id,
                QuizAttempt.course_id == attempt.course_id,
                QuizAttempt.passed_at.is_not(None), QuizAttempt.id != attempt.id,
            ).limit(1)
        ).first()
        attempt.passed_at = now
        db.session.flush()
        if first:
            quiz_passed.send(current_app._get_current_object(), user=attempt.user,
                             course=attempt.course, attempt=attempt)


def essay_answers(attempt: QuizAttempt) -> list[AttemptAnswer]:
    return [a for a in attempt.answers if a.question.question.needs_manual_grading]


def mark_essays(attempt: QuizAttempt, grades: Mapping[int, tuple[float, str]], grader, *,
                now: datetime) -> QuizAttempt:
    """A trainer's grades for essays: ``{slot: (percent 0-100, comment)}``; then the
    attempt's score is computed again (and ``quiz_passed`` sent if it now passes)."""
    if attempt.state not in (AttemptState.NEEDS_GRADING.value, AttemptState.GRADED.value):
        raise DomainError(_("This attempt is still in progress; it can be graded once it "
                            "has been submitted."), status=409)
    essays = {a.slot: a for a in essay_answers(attempt)}
    errors: dict[str, list[str]] = {}
    for slot, (percent, _comment) in grades.items():
        if slot not in essays:
            errors[str(slot)] = [_("Question %(slot)s is not an essay.", slot=slot)]
        elif percent is None or not 0 <= percent <= 100:
            errors[str(slot)] = [_("Give a grade from 0 to 100.")]
    if errors:
        raise DomainError(_("Some grades were not valid; nothing was saved."), errors=errors,
                          status=422)
    for slot, (percent, comment) in grades.items():
        answer = essays[slot]
        answer.fraction = percent / 100.0
        answer.comment = (comment or "").strip()
        answer.graded_by_id = grader.id
        answer.graded_at = now
    grade_attempt(attempt, now)
    return attempt
