"""The completion rule, evaluated when a learner's progress changes.

A course is complete for a learner when

1. every published module is completed, and
2. the closing quiz (when the course has one) is passed at the course's pass mark, and
3. when the course says so (``Course.requires_webinar_attendance``, front matter
   ``webinar_required: true``), the learner attended a webinar linked to the course.

The rule is evaluated by signal receivers, inside the transaction that changed the
progress, never by a periodic sweep: when ``course_progress_changed`` says the modules are
all done, when ``quiz_passed`` says the quiz is, and when ``attendance_recorded`` says a
trainer marked the learner present at a webinar of the course. The completion is recorded
exactly once (``services.record_completion``) with the date and the score that earned it,
and the certificate is issued and mailed in the same transaction, so a rollback takes all
back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from elearn.accounts.models import User
from elearn.accounts.services import find_user_by_email
from elearn.certificates import services
from elearn.certificates.courseinfo import facts_of
from elearn.certificates.models import Certificate
from elearn.courses.models import Course, Enrolment
from elearn.courses.services import course_progress, find_course
from elearn.extensions import db
from elearn.quizzes.attempts import best_attempt, user_attempts
from elearn.signals import attendance_recorded, course_progress_changed, quiz_passed
from elearn.webinars.attendance import attended_course_webinar


@dataclass(frozen=True)
class QuizOutcome:
    passed: bool
    #: The learner's best graded score (percent), None before any graded attempt.
    best_score: float | None


@dataclass(frozen=True)
class CompletionCheck:
    """Where a learner stands against a course's completion rule."""

    modules_done: bool
    quiz_required: bool
    quiz: QuizOutcome
    webinar_required: bool
    webinar_attended: bool

    @property
    def complete(self) -> bool:
        return (self.modules_done
                and (self.quiz.passed or not self.quiz_required)
                and (self.webinar_attended or not self.webinar_required))


def quiz_outcome(user: User, course: Course) -> QuizOutcome:
    """Whether the learner passed the course's closing quiz, and their best score (the
    score that counts, as the quiz pages say)."""
    attempts = user_attempts(user, course)
    best = best_attempt(attempts)
    return QuizOutcome(passed=any(a.passed for a in attempts),
                       best_score=best.score if best else None)


def webinar_requirement(user: User, course: Course) -> tuple[bool, bool]:
    """(required, attended): whether the course needs attendance at one of its webinars,
    and whether the learner attended one (by account, or by their verified address)."""
    if not course.requires_webinar_attendance:
        return False, False
    return True, attended_course_webinar(user, course.slug)


def check_completion(user: User, course: Course) -> CompletionCheck:
    webinar_required, webinar_attended = webinar_requirement(user, course)
    return CompletionCheck(
        modules_done=course_progress(user, course).is_complete,
        quiz_required=course.quiz_bank is not None,
        quiz=quiz_outcome(user, course),
        webinar_required=webinar_required,
        webinar_attended=webinar_attended,
    )


def _take_turns(user: User, course: Course) -> None:
    """Make two evaluations of the rule for the same learner and course run one after the
    other, so the second sees what the first committed.

    The parts of the rule change in different rows (module progress, a quiz attempt, a
    webinar registration): a trainer marking attendance while the learner submits the
    quiz would otherwise each check the rule without the other's change, and neither
    would issue the certificate. On PostgreSQL the learner's enrolment row is locked
    (``SELECT ... FOR UPDATE``; READ COMMITTED then shows the other's committed rows);
    SQLite already runs one writing transaction at a time, and ignores the clause.
    """
    db.session.execute(
        select(Enrolment.id).where(Enrolment.user_id == user.id,
                                   Enrolment.course_id == course.id).with_for_update()
    ).first()


def evaluate_completion(user: User, course: Course) -> Certificate | None:
    """Record the completion and issue the certificate if the rule is met now.

    Returns the new certificate, or None when the rule is not met or the course was
    already completed (a learner who completes twice, or two requests at once, still
    get one certificate).
    """
    _take_turns(user, course)
    if services.get_completion(user.id, course.id) is not None:
        return None
    check = check_completion(user, course)
    if not check.complete:
        return None
    completion, created = services.record_completion(user, course.id,
                                                     score=check.quiz.best_score)
    if not created:
        return None
    facts = facts_of(course, services.certificate_language(user))
    return services.issue_for_completion(user, completion, course_title=facts.title,
                                         theme_title=facts.theme_title)


# -- signal receivers --------------------------------------------------------------------


def _on_progress_changed(sender, *, user, course, progress, **extra) -> None:
    # ``module_completed`` is always followed by this signal, so listening to it too
    # would only evaluate the rule twice.
    if progress.is_complete:
        evaluate_completion(user, course)


def _on_quiz_passed(sender, *, user, course, attempt, **extra) -> None:
    evaluate_completion(user, course)


def attendee_account(registration) -> User | None:
    """The account a webinar registration belongs to: the one it was made with, else the
    verified account with its address (a guest registration, or one made before signing
    up); None for a guest without an account."""
    if registration.user is not None:
        return registration.user
    user = find_user_by_email(registration.email)
    return user if user is not None and user.is_verified else None


def _on_attendance_recorded(sender, *, registration, webinar, **extra) -> None:
    course = find_course(webinar.course_slug)
    if course is None or not course.requires_webinar_attendance:
        return
    user = attendee_account(registration)
    if user is not None:
        evaluate_completion(user, course)


def connect_receivers() -> None:
    """Listen to the signals that can complete a course (idempotent)."""
    course_progress_changed.connect(_on_progress_changed)
    quiz_passed.connect(_on_quiz_passed)
    attendance_recorded.connect(_on_attendance_recorded)
