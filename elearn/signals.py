"""The platform's signals (blinker). Features announce what happened; others listen.

Every signal is sent by a service right after its change is flushed, inside the caller's
transaction: a receiver may add rows (a certificate, an outbox message) that commit or roll
back together with the change. Receivers must not commit, and must be quick.
Subscribe with ``@module_completed.connect`` (any sender).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

module_completed = _signals.signal(
    "module-completed",
    doc="""A learner marked a module complete (not sent again if it already was).

    Sent as ``module_completed.send(app, user=user, module=module, course=course)``:
    ``user`` the learner (``User``), ``module`` the ``Module``, ``course`` its ``Course``.
    """,
)

course_progress_changed = _signals.signal(
    "course-progress-changed",
    doc="""A learner's progress in a course changed because they completed a module or
    took a completion back.

    Sent as ``course_progress_changed.send(app, user=user, course=course, progress=p)``:
    ``progress`` is an ``elearn.courses.services.Progress`` (``completed``, ``total``,
    ``percent``, ``is_complete``), counting published modules only. Not sent when a
    trainer publishes or unpublishes a module (that changes everyone's share at once).
    """,
)

quiz_passed = _signals.signal(
    "quiz-passed",
    doc="""A learner passed a course's quiz for the first time: an attempt reached the pass
    mark, on submission, when its time ran out, or when a trainer's essay grade lifted
    its score. Sent once per learner and course; later passing attempts do not send it.

    Sent as ``quiz_passed.send(app, user=user, course=course, attempt=attempt)``:
    ``user`` the learner (``User``), ``course`` the ``Course``, ``attempt`` the graded
    ``elearn.quizzes.models.QuizAttempt`` (``score`` in percent, ``passed``).
    """,
)

attendance_recorded = _signals.signal(
    "attendance-recorded",
    doc="""A trainer recorded that someone attended a webinar: ticked on the attendance
    checklist, or found in the meeting service's report uploaded as CSV. Sent once per
    registration each time it goes from not attended to attended (not when a tick is
    taken back, nor for people already marked).

    Sent as ``attendance_recorded.send(app, registration=registration, webinar=webinar)``:
    ``registration`` the ``elearn.webinars.models.Registration`` (``user_id`` for an
    account, else only ``email``), ``webinar`` its ``Webinar`` (``course_slug`` names
    the course it belongs to, if any).
    """,
)
