"""Exactly one certificate when two requests complete the same course at the same moment.

Each thread has its own app context, session and database connection, like two web
workers; both run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from elearn.accounts.models import User
from elearn.certificates import completion, services
from elearn.certificates.models import Certificate, Completion
from elearn.courses.models import Course
from elearn.mail.models import OutboxMessage


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _in_threads(app, db, work, n=2):
    """Run ``work(user, course)`` in ``n`` threads, each in its own app context, then
    commit; return what each returned (or raised)."""
    results: list = [None] * n

    def run(index, user_id, course_id):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                course = db.session.get(Course, course_id)
                results[index] = work(index, user, course)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    return run, results


def test_two_simultaneous_evaluations_issue_one_certificate(app, db, make_user, make_course,
                                                            monkeypatch):
    from elearn.courses.models import ModuleProgress

    learner = make_user()
    course = make_course(modules=2)
    for module in course.modules:  # every module done, not yet evaluated
        db.session.add(ModuleProgress(user_id=learner.id, module_id=module.id))
    db.session.commit()

    # Both threads pass the "already completed?" check before either inserts.
    barrier = threading.Barrier(2, timeout=30)
    original = services.record_completion

    def record_after_both_checked(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "record_completion", record_after_both_checked)
    run, results = _in_threads(app, db, lambda i, user, c: completion.evaluate_completion(
        user, c))
    threads = [threading.Thread(target=run, args=(i, learner.id, course.id)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    issued = [r for r in results if r is not None]
    assert len(issued) == 1
    assert _count(db, Completion) == 1
    assert _count(db, Certificate) == 1
    assert _count(db, OutboxMessage) == 1


def test_two_requests_completing_the_last_modules_at_once(app, db, make_user, make_course):
    from elearn.courses.services import complete_module, enrol

    learner = make_user()
    course = make_course(modules=2)
    enrol(learner, course)  # enrolled, with the last two modules open in two tabs
    db.session.commit()
    module_ids = [m.id for m in course.modules]
    barrier = threading.Barrier(2, timeout=30)

    def work(index, user, c):
        module = next(m for m in c.modules if m.id == module_ids[index])
        barrier.wait()
        return complete_module(user, module)

    run, results = _in_threads(app, db, work)
    threads = [threading.Thread(target=run, args=(i, learner.id, course.id)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert _count(db, Completion) == 1
    assert _count(db, Certificate) == 1
    assert services.current_certificate(learner.id, course.id) is not None


def test_one_current_certificate_per_learner_and_course_is_enforced_by_the_database(
        db, certificate):
    from sqlalchemy.exc import IntegrityError

    duplicate = Certificate(
        code="0" * 16, user_id=certificate.user_id, course_id=certificate.course_id,
        completion_id=certificate.completion_id, holder_name="Copy", course_title="Copy",
        issuer="Copy", pdf=b"",
    )
    db.session.add(duplicate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
    else:  # pragma: no cover - the assertion below reports it
        db.session.rollback()
        raise AssertionError("a second current certificate was accepted")
    # Once the first is revoked, a new one may exist beside it.
    certificate.revoked_at = certificate.issued_at
    db.session.commit()
    duplicate = Certificate(
        code="1" * 16, user_id=certificate.user_id, course_id=certificate.course_id,
        completion_id=certificate.completion_id, holder_name="New", course_title="New",
        issuer="New", pdf=b"",
    )
    db.session.add(duplicate)
    db.session.commit()


def test_attendance_marked_while_the_learner_submits_the_quiz(app, db, make_user, make_course,
                                                              monkeypatch):
    """Each request changes one part of the rule and checks it; the one that checks last
    must see the other's change, or nobody issues the certificate."""
    import pytest

    from elearn.courses.services import enrol
    from elearn.quizzes.attempts import save_answers, start_attempt, submit_attempt
    from elearn.quizzes.models import QuizAttempt
    from elearn.webinars.attendance import set_attendance
    from elearn.webinars.models import Registration, Webinar
    from elearn.webinars.registrations import register
    from elearn.webinars.services import create_webinar
    from tests.certificates.conftest import RIGHT, complete_all_modules

    if app.config["DB_BACKEND"] == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time: they cannot overlap")
    learner = make_user()
    course = make_course(quiz=True, pass_mark=75)
    course.requires_webinar_attendance = True
    enrol(learner, course)
    complete_all_modules(learner, course)
    webinar = create_webinar(
        title="Q&A", theme=course.theme.slug, language="en",
        starts_at=course.created_at.replace(microsecond=0) + timedelta(days=3),
        timezone="UTC", duration_minutes=60, capacity=5,
        join_url="https://meet.example.org/j/qa", course_slug=course.slug)
    registration = register(webinar.id, user=learner).registration
    attempt, _created = start_attempt(learner, course)
    save_answers(attempt, {a.slot: RIGHT[a.question.name] for a in attempt.answers})
    db.session.commit()
    ids = (webinar.id, registration.id, attempt.id)

    # Both changes are made before either request checks the rule.
    barrier = threading.Barrier(2, timeout=30)
    original = completion.evaluate_completion

    def evaluate_after_both_changed(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(completion, "evaluate_completion", evaluate_after_both_changed)

    def work(index, user, c):
        if index == 0:  # the trainer's checklist
            set_attendance(db.session.get(Webinar, ids[0]), [ids[1]], {ids[1]})
        else:  # the learner's submit
            submit_attempt(db.session.get(QuizAttempt, ids[2]))

    run, results = _in_threads(app, db, work)
    threads = [threading.Thread(target=run, args=(i, learner.id, course.id)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert _count(db, Completion) == 1
    assert db.session.get(Registration, ids[1]).attended
    assert _count(db, Certificate) == 1
