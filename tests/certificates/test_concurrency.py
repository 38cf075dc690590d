"""Exactly one certificate when two requests complete the same course at the same moment.

Each thread has its own app context, session and database connection, like two web
workers; both run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

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
