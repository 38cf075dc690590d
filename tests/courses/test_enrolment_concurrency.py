"""Two requests enrolling the same learner (or completing the same module) at the same
moment: one row, no error, on SQLite and PostgreSQL.

Each thread has its own app context, session and database connection, like two web
workers.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from elearn.accounts.models import User
from elearn.courses import services
from elearn.courses.models import Course, Enrolment, ModuleProgress


def _count(db, model) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _run_in_threads(app, db, work, user_id: int, course_id: int, n: int = 2) -> list:
    """``work(user, course)`` in ``n`` threads, each committing; what each returned or
    raised."""
    results: list = [None] * n

    def run(index):
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                course = db.session.get(Course, course_id)
                results[index] = work(user, course)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_simultaneous_enrolments_make_one(app, db, synced, make_user, monkeypatch):
    learner = make_user()
    course_id = db.session.execute(
        select(Course.id).where(Course.slug == "customs-trade")).scalar_one()

    # Both requests find no enrolment before either inserts one.
    barrier = threading.Barrier(2, timeout=30)
    original = services.insert_once

    def insert_after_both_checked(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "insert_once", insert_after_both_checked)
    results = _run_in_threads(
        app, db, lambda user, course: services.enrol(user, course)[1], learner.id, course_id)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [False, True]  # one enrolled them, the other found it done
    assert _count(db, Enrolment) == 1


def test_enrolling_twice_over_http_gives_one_enrolment(client, db, synced, make_user, login):
    login(make_user())
    for _ in range(2):
        assert client.post("/courses/customs-trade/enrol").status_code == 302
    assert _count(db, Enrolment) == 1


def test_a_double_click_on_mark_complete_records_and_announces_once(app, db, synced,
                                                                    make_user):
    from elearn.signals import module_completed

    learner = make_user()
    course = db.session.execute(
        select(Course).where(Course.slug == "customs-trade")).scalar_one()
    services.enrol(learner, course)
    db.session.commit()
    module_id = course.published_modules[0].id
    announced = []

    def listener(sender, **kwargs):
        announced.append(kwargs["module"].id)

    barrier = threading.Barrier(2, timeout=30)

    def click(user, course):
        module = next(m for m in course.modules if m.id == module_id)
        barrier.wait()
        return services.complete_module(user, module)

    with module_completed.connected_to(listener):
        results = _run_in_threads(app, db, click, learner.id, course.id)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.completed for r in results] == [1, 1]
    assert _count(db, ModuleProgress) == 1
    assert announced == [module_id]
