"""Learners' quiz pages: the quiz of a course, taking an attempt, its review.

Plain HTML forms, no script: "Save answers" stores what is on the page and shows it
again; "Submit" saves, closes and grades. The time left is computed on the server at
every page load. Option values are opaque keys; nothing on these pages before
submission reveals which answer is right.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_time, get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from elearn.courses.services import get_course, get_enrolment
from elearn.extensions import db
from elearn.permissions import require_login
from elearn.quizzes import attempts, presentation
from elearn.quizzes.attempts import AttemptLimitReached, InvalidAnswer, NotEnrolled
from elearn.quizzes.gift import QuestionType

bp = Blueprint("quiz", __name__)

def state_label(state: str) -> str:
    labels = {
        "correct": _("Correct"), "partial": _("Partially correct"),
        "incorrect": _("Incorrect"), "unanswered": _("Not answered"),
        "needs_grading": _("Waiting for a trainer's grade"),
    }
    return labels.get(state, state)


def attempt_state_label(state: str) -> str:
    labels = {
        "in_progress": _("In progress"), "submitted": _("Submitted"),
        "needs_grading": _("Waiting for a trainer's grade"), "graded": _("Graded"),
    }
    return labels.get(state, state)


@bp.app_context_processor
def _helpers():
    return {"quiz_state_label": state_label, "attempt_state_label": attempt_state_label,
            "score_text": score_text, "deadline_text": deadline_text}


def score_text(score: float | None) -> str:
    return "" if score is None else f"{score:g} %"


def deadline_text(attempt, now=None) -> str | None:
    """"Time left: 14 minutes — deadline 10:42 (Africa/Nairobi)", in the viewer's zone."""
    left = attempts.time_left(attempt, now)
    if left is None:
        return None
    seconds = int(left.total_seconds())
    minutes = -(-seconds // 60)  # rounded up: "1 minute" until the last minute starts
    if seconds < 60:
        head = _("Time left: less than a minute")
    else:
        head = ngettext("Time left: %(num)d minute", "Time left: %(num)d minutes", minutes)
    when = (format_time(attempt.deadline, "short") if left < timedelta(hours=12)
            else format_datetime(attempt.deadline, "short"))
    return _("%(left)s — deadline %(time)s (%(zone)s)", left=head, time=when,
             zone=str(get_timezone()))


def _closed_for_time_message() -> str:
    return _("The time limit has passed: your attempt was closed and graded with the answers "
             "saved before the deadline. Answers sent after the deadline were not saved.")


def _no_store(response):
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


@bp.route("/courses/<slug>/quiz")
@require_login
def overview(slug: str):
    course = get_course(slug, current_user)
    bank = attempts.quiz_bank(course)
    status = attempts.quiz_status(current_user, course)
    db.session.commit()  # attempts whose time ran out were just closed
    pool = sum(1 for q in bank.active_questions if q.is_graded)
    return _no_store(make_response(render_template(
        "quizzes/quiz.html", course=course, text=course.text(_language()), status=status,
        enrolled=get_enrolment(current_user, course) is not None,
        questions=min(course.questions_per_attempt or pool, pool),
    )))


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


@bp.route("/courses/<slug>/quiz/start", methods=["POST"])
@require_login
def start(slug: str):
    course = get_course(slug, current_user)
    try:
        try:
            attempt, created = attempts.start_attempt(current_user, course)
        except IntegrityError:  # a second click started one at the same moment
            db.session.rollback()
            attempt, created = attempts.start_attempt(current_user, course)
    except (NotEnrolled, AttemptLimitReached) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".overview", slug=slug))
    db.session.commit()
    if not created:
        flash(_("You have an attempt in progress: it continues where you left it."), "info")
    return redirect(url_for(".take", attempt_id=attempt.id))


def _form_responses(attempt, form) -> dict[int, object]:
    """The page's answers as ``{slot: response}`` (every question on the page)."""
    responses: dict[int, object] = {}
    for answer in attempt.answers:
        question = answer.question.question
        name = f"q{answer.slot}"
        if question.type is QuestionType.MULTIRESPONSE:
            responses[answer.slot] = form.getlist(name)
        elif question.type is QuestionType.MATCHING:
            responses[answer.slot] = {
                str(i): form.get(f"{name}-{i}", "") for i in range(len(question.stems))
            }
        elif question.type is not QuestionType.DESCRIPTION:
            responses[answer.slot] = form.get(name)
    return responses


def _render_take(attempt, status: int = 200):
    response = make_response(render_template(
        "quizzes/take.html", attempt=attempt, course=attempt.course,
        text=attempt.course.text(_language()), views=presentation.attempt_views(attempt),
        deadline=deadline_text(attempt, attempts.clock()),
    ), status)
    return _no_store(response)


@bp.route("/quiz/attempts/<int:attempt_id>", methods=["GET", "POST"])
@require_login
def take(attempt_id: int):
    attempt = attempts.get_attempt(current_user, attempt_id)
    now = attempts.clock()
    if attempts.close_if_expired(attempt, now):
        db.session.commit()
        flash(_closed_for_time_message(), "error")
        return redirect(url_for(".review", attempt_id=attempt.id), 303)
    if not attempt.is_open:
        if request.method == "POST":
            flash(_("This attempt has been submitted: its answers can no longer be changed."),
                  "error")
        return redirect(url_for(".review", attempt_id=attempt.id), 303)
    if request.method == "GET":
        return _render_take(attempt)
    try:
        attempts.save_answers(attempt, _form_responses(attempt, request.form), now=now)
    except InvalidAnswer as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_take(attempts.get_attempt(current_user, attempt_id), 400)
    if "submit" in request.form:
        attempts.submit_attempt(attempt, now=now)
        db.session.commit()
        flash(_("Your attempt has been submitted."), "success")
        return redirect(url_for(".review", attempt_id=attempt.id), 303)
    db.session.commit()
    flash(_("Your answers are saved (%(time)s). You can come back to them later.",
            time=format_time(now, "short")), "success")
    return redirect(url_for(".take", attempt_id=attempt.id), 303)


@bp.route("/quiz/attempts/<int:attempt_id>/review")
@require_login
def review(attempt_id: int):
    attempt = attempts.get_attempt(current_user, attempt_id)
    if attempts.close_if_expired(attempt):
        db.session.commit()
    if attempt.is_open:
        return redirect(url_for(".take", attempt_id=attempt.id))
    course = attempt.course
    status = attempts.quiz_status(current_user, course)
    db.session.commit()
    return _no_store(make_response(render_template(
        "quizzes/review.html", attempt=attempt, course=course, text=course.text(_language()),
        views=presentation.attempt_views(attempt, review=True), status=status,
    )))
