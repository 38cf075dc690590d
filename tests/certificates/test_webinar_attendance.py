"""Courses that require a webinar: the certificate comes when modules, quiz and attendance
are all done, whichever is last, exactly once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.certificates.models import Certificate
from elearn.certificates.services import current_certificate
from elearn.courses.services import complete_module
from elearn.db import utcnow
from elearn.mail.models import OutboxMessage
from elearn.webinars.registrations import register
from tests.certificates.conftest import complete_all_modules, take_quiz


@pytest.fixture
def linked_webinar(db):
    """linked_webinar(course) -> a webinar of that course, committed."""
    from elearn.webinars.services import create_webinar

    def make(course, **fields):
        values = dict(title="Questions and answers on the course", theme=course.theme.slug,
                      language="en", starts_at=utcnow().replace(microsecond=0)
                      + timedelta(days=3), timezone="Europe/Zurich", duration_minutes=60,
                      capacity=50, join_url="https://meet.example.org/j/qa",
                      course_slug=course.slug)
        values.update(fields)
        webinar = create_webinar(**values)
        db.session.commit()
        return webinar

    return make


@pytest.fixture
def trainer_client(app, make_user):
    """A second browser, signed in as a trainer (the learner's state stays untouched)."""
    trainer = make_user(role="trainer", email="trainer@example.org")
    browser = app.test_client()
    response = browser.post("/login", data={"email": trainer.email,
                                            "password": "correct horse battery"})
    assert response.status_code == 302
    return browser


def mark_attended(browser, webinar, *registrations):
    ids = [r.id for r in registrations]
    response = browser.post(f"/webinars/{webinar.id}/attendance",
                            data={"shown": ids, "attended": ids})
    assert response.status_code == 302


def issued_mails(db, address: str) -> int:
    db.session.expire_all()
    return db.session.execute(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == address, OutboxMessage.template == "certificates/issued")
    ).scalar_one()


def certificates(db) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(Certificate)).scalar_one()


def test_marking_attendance_last_issues_the_certificate_once(db, make_user, make_course,
                                                            linked_webinar, trainer_client):
    learner = make_user(email="ana.lopez@aduana.example.bo")
    course = make_course(quiz=True, pass_mark=75)
    course.requires_webinar_attendance = True
    db.session.commit()
    webinar = linked_webinar(course)
    registration = register(webinar.id, user=learner).registration
    db.session.commit()

    complete_all_modules(learner, course)
    take_quiz(db, learner, course, right=3)  # 75 %: passed
    assert current_certificate(learner.id, course.id) is None  # the webinar is missing

    mark_attended(trainer_client, webinar, registration)
    certificate = current_certificate(learner.id, course.id)
    assert certificate is not None and certificate.score == 75
    assert issued_mails(db, learner.email) == 1

    # The trainer unticks and ticks again, or uploads the report too: still one.
    trainer_client.post(f"/webinars/{webinar.id}/attendance", data={"shown": [registration.id]})
    mark_attended(trainer_client, webinar, registration)
    trainer_client.post(f"/webinars/{webinar.id}/attendance/upload",
                        data={"report": (io.BytesIO(b"Email\n" + learner.email.encode()),
                                         "report.csv")},
                        content_type="multipart/form-data")
    assert certificates(db) == 1 and issued_mails(db, learner.email) == 1


def test_attendance_first_then_the_last_module(db, make_user, make_course, linked_webinar,
                                               trainer_client):
    # She attended as a guest, before she had an account, with the same address.
    course = make_course(modules=2)
    course.requires_webinar_attendance = True
    db.session.commit()
    webinar = linked_webinar(course)
    guest = register(webinar.id, name="Olena Kovalenko", email="Olena@ecology.example.ua",
                     country="UA", organisation="", language="ru", timezone="Europe/Kyiv"
                     ).registration
    db.session.commit()
    report = b"Name,Email\r\nOlena Kovalenko,olena@ecology.example.ua\r\n"
    trainer_client.post(f"/webinars/{webinar.id}/attendance/upload",
                        data={"report": (io.BytesIO(report), "attendance.csv")},
                        content_type="multipart/form-data")
    db.session.expire_all()
    assert guest.attended and certificates(db) == 0  # nobody to certify yet

    learner = make_user(email="olena@ecology.example.ua", name="Олена Коваленко")
    complete_module(learner, course.published_modules[0])
    db.session.commit()
    assert current_certificate(learner.id, course.id) is None
    complete_module(learner, course.published_modules[1])
    db.session.commit()
    assert current_certificate(learner.id, course.id).holder_name == "Олена Коваленко"


def test_without_the_requirement_attendance_changes_nothing(db, make_user, make_course,
                                                            linked_webinar, trainer_client,
                                                            complete):
    learner = make_user()
    course = make_course()
    assert complete(learner, course) is not None  # modules alone are enough
    webinar = linked_webinar(course)
    registration = register(webinar.id, user=learner).registration
    db.session.commit()
    mark_attended(trainer_client, webinar, registration)
    assert certificates(db) == 1 and issued_mails(db, learner.email) == 1


def test_only_a_webinar_of_this_course_counts(db, make_user, make_course, linked_webinar,
                                              trainer_client):
    learner = make_user()
    course, other = make_course(), make_course(title="PCB inventories")
    course.requires_webinar_attendance = True
    db.session.commit()
    complete_all_modules(learner, course)
    db.session.commit()
    elsewhere = linked_webinar(other)
    unlinked = linked_webinar(course, course_slug=None, title="An open webinar")
    people = [register(w.id, user=learner).registration for w in (elsewhere, unlinked)]
    db.session.commit()
    mark_attended(trainer_client, elsewhere, people[0])
    mark_attended(trainer_client, unlinked, people[1])
    assert current_certificate(learner.id, course.id) is None

    # An unverified account with the address of a guest who came does not get it either.
    impostor = make_user(email="someone.else@example.org", verified=False)
    complete_all_modules(impostor, course)
    db.session.commit()
    webinar = linked_webinar(course)
    walk_in = register(webinar.id, name="Someone", email="someone.else@example.org",
                       country="FR", organisation="", language="fr", timezone="UTC"
                       ).registration
    db.session.commit()
    mark_attended(trainer_client, webinar, walk_in)
    assert current_certificate(impostor.id, course.id) is None
    assert certificates(db) == 0
