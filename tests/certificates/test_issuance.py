"""Completing a course issues one certificate, with a snapshot, a stored PDF and an e-mail."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from elearn.certificates.models import Certificate, Completion
from elearn.mail.delivery import deliver_due
from elearn.mail.models import OutboxMessage
from tests.conftest import mail_body

from .conftest import complete_all_modules, pdf_text


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_completing_every_module_issues_a_certificate(db, certificate):
    assert certificate is not None and certificate.is_valid
    assert re.fullmatch(r"SC-\d{4}-\d{6}", certificate.serial)
    assert certificate.serial.endswith(f"{certificate.id:06d}")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{16}", certificate.code)
    assert certificate.holder_name == "Amina Diallo"
    assert certificate.course_title == "Trade controls for customs officers"
    assert certificate.theme_title == "Customs and trade-related issues"
    assert certificate.issuer == "Secretariat of the Stockholm Convention"
    assert certificate.language == "en"
    assert certificate.score is None  # this course has no quiz
    completion = certificate.completion
    assert completion.user_id == certificate.user_id
    assert completion.completed_at <= certificate.issued_at


def test_the_pdf_is_stored_once_at_issue(db, certificate):
    pdf = certificate.pdf
    assert pdf.startswith(b"%PDF") and certificate.pdf_size == len(pdf)
    text = pdf_text(pdf)
    for printed in ("Amina Diallo", "Trade controls for customs officers",
                    certificate.serial, certificate.code_display,
                    f"http://elearn.test/verify/{certificate.code}"):
        assert printed in text


def test_a_half_done_course_issues_nothing(db, make_user, make_course):
    from elearn.courses.services import complete_module

    learner = make_user()
    course = make_course(modules=3)
    complete_module(learner, course.published_modules[0])
    db.session.commit()
    assert _count(db, Certificate) == 0 and _count(db, Completion) == 0


def test_completing_again_does_not_issue_again(db, make_user, make_course, complete):
    from elearn.courses.services import uncomplete_module

    learner = make_user()
    course = make_course()
    first = complete(learner, course)
    uncomplete_module(learner, course.published_modules[-1])
    db.session.commit()
    again = complete(learner, course)
    assert again.id == first.id
    assert _count(db, Certificate) == 1 and _count(db, Completion) == 1
    assert _count(db, OutboxMessage) == 1


def test_a_revoked_certificate_is_not_issued_again_by_more_progress(
        db, make_user, make_course, complete):
    from elearn.certificates.services import revoke_certificate
    from elearn.courses.services import uncomplete_module

    admin = make_user(role="admin")
    learner = make_user()
    course = make_course()
    revoke_certificate(complete(learner, course), by=admin, reason="Fraud")
    uncomplete_module(learner, course.published_modules[0])
    complete_all_modules(learner, course)
    db.session.commit()
    assert _count(db, Certificate) == 1


def test_a_course_with_a_quiz_needs_the_quiz_passed(db, make_user, make_course, complete):
    learner = make_user()
    assert complete(learner, make_course(quiz=True)) is None
    assert _count(db, Completion) == 0


def test_the_certificate_is_in_the_learners_language(db, make_user, make_course, complete):
    learner = make_user(name="Анна Фёдорова", locale="ru", timezone="Europe/Moscow")
    course = make_course(translations={"ru": "Контроль торговли для таможенников"})
    certificate = complete(learner, course)
    assert certificate.language == "ru"
    assert certificate.course_title == "Контроль торговли для таможенников"
    text = pdf_text(certificate.pdf)
    assert "Анна Фёдорова" in text and "Контроль торговли для таможенников" in text


def test_untranslated_course_titles_stay_in_the_course_language(
        db, make_user, make_course, complete):
    learner = make_user(locale="fr")
    certificate = complete(learner, make_course())
    assert certificate.language == "fr"
    assert certificate.course_title == "Trade controls for customs officers"


def test_the_date_printed_is_the_holders_date(db, make_user, make_course, complete):
    from datetime import UTC, datetime

    from elearn.certificates.services import local_date

    late_evening_utc = datetime(2026, 3, 14, 22, 30, tzinfo=UTC)
    assert str(local_date(late_evening_utc, "Asia/Shanghai")) == "2026-03-15"
    assert str(local_date(late_evening_utc, "America/Lima")) == "2026-03-14"
    assert str(local_date(late_evening_utc, "Not/AZone")) == "2026-03-14"


def test_the_learner_is_mailed_links_to_the_certificate_and_the_pdf(
        app, db, make_user, make_course, complete, smtp_server):
    learner = make_user(email="li.wei@customs.example.cn", name="李伟", locale="zh")
    certificate = complete(learner, make_course(translations={"zh": "海关贸易管制"}))
    deliver_due()
    [message] = smtp_server.to("li.wei@customs.example.cn")
    assert "海关贸易管制" in message["Subject"]
    body = mail_body(message)
    assert f"http://elearn.test/verify/{certificate.code}" in body
    assert f"http://elearn.test/certificates/{certificate.code}.pdf" in body
    assert certificate.serial in body and certificate.code_display in body
    [queued] = db.session.execute(select(OutboxMessage)).scalars()
    assert queued.language == "zh" and queued.template == "certificates/issued"
