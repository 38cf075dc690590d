"""Trainers' quiz pages: a course's quiz results (and CSV), and essay marking."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.accounts.models import Role
from elearn.courses.services import get_course
from elearn.extensions import db
from elearn.permissions import require_role
from elearn.quizzes import attempts, presentation, results, scoring
from elearn.quizzes.models import QuizAttempt

bp = Blueprint("quiz_trainer", __name__, url_prefix="/trainer")


def _course_with_quiz(slug: str):
    course = get_course(slug, current_user)
    if not course.quiz_bank:
        abort(404, _("This course has no quiz."))
    return course


@bp.route("/courses/<slug>/quiz")
@require_role(Role.TRAINER)
def quiz_results(slug: str):
    course = _course_with_quiz(slug)
    if attempts.close_expired(course=course):
        db.session.commit()
    rows = results.course_attempts(course)
    return render_template(
        "quizzes/results.html", course=course, attempts=rows,
        summary=results.summarise(rows), stats=results.question_stats(course),
        text=course.text(course.language),
    )


@bp.route("/courses/<slug>/quiz/results.csv")
@require_role(Role.TRAINER)
def quiz_results_csv(slug: str):
    course = _course_with_quiz(slug)
    return Response(
        results.results_csv(course), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-quiz-results.csv"'},
    )


def _parse_grades(attempt, form) -> tuple[dict[int, tuple[float | None, str]], dict]:
    grades: dict[int, tuple[float | None, str]] = {}
    errors: dict[int, str] = {}
    for answer in scoring.essay_answers(attempt):
        raw = (form.get(f"grade-{answer.slot}") or "").strip().replace(",", ".")
        comment = form.get(f"comment-{answer.slot}", "")[:5000]
        if raw == "":
            if answer.graded_at is None:
                continue  # not graded yet, left for later
            errors[answer.slot] = _("Give a grade from 0 to 100.")
            continue
        try:
            percent = float(raw)
        except ValueError:
            errors[answer.slot] = _("Give a grade from 0 to 100.")
            continue
        if not 0 <= percent <= 100:
            errors[answer.slot] = _("Give a grade from 0 to 100.")
            continue
        grades[answer.slot] = (percent, comment)
    return grades, errors


@bp.route("/attempts/<int:attempt_id>/grade", methods=["GET", "POST"])
@require_role(Role.TRAINER)
def grade(attempt_id: int):
    attempt = db.session.get(QuizAttempt, attempt_id) or abort(404)
    if attempts.close_if_expired(attempt):
        db.session.commit()
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        grades, errors = _parse_grades(attempt, request.form)
        if not errors and grades:
            scoring.mark_essays(attempt, grades, current_user, now=attempts.clock())
            db.session.commit()
            flash(_("Grades saved. Score of the attempt: %(score)s.",
                    score=f"{attempt.score:g} %" if attempt.score is not None
                    else _("still waiting for grades")), "success")
            return redirect(url_for(".grade", attempt_id=attempt.id), 303)
        if not errors:
            flash(_("Give a grade to at least one essay."), "error")
        status = 422
    course = attempt.course
    views = [presentation.review_slot(a, attempt.shuffle_seed, attempt.shuffle_answers,
                                      show_feedback=True, show_correct_answers=True)
             for a in attempt.answers]
    essays = {a.slot: a for a in scoring.essay_answers(attempt)}
    return render_template(
        "quizzes/grade.html", attempt=attempt, course=course, views=views, essays=essays,
        errors=errors, form=request.form if request.method == "POST" else {},
        text=course.text(course.language),
    ), status
