"""The completion rule: every published module, and the closing quiz at its pass mark.

The rule runs when the courses and quizzes services signal progress; these tests go
through those services as the pages do.
"""

from __future__ import annotations

from sqlalchemy import func, select

from elearn.certificates.completion import check_completion
from elearn.certificates.models import Certificate, Completion
from elearn.certificates.services import current_certificate

from .conftest import complete_all_modules, pdf_text, take_quiz


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_modules_then_quiz(db, make_user, make_course):
    learner = make_user()
    course = make_course(quiz=True, pass_mark=70)
    complete_all_modules(learner, course)
    db.session.commit()
    check = check_completion(learner, course)
    assert check.modules_done and check.quiz_required and not check.quiz.passed
    assert _count(db, Certificate) == 0

    take_quiz(db, learner, course, right=2)  # 50%: not passed
    assert _count(db, Certificate) == 0
    take_quiz(db, learner, course, right=3)  # 75%: passed at 70
    certificate = current_certificate(learner.id, course.id)
    assert certificate is not None and certificate.score == 75
    assert certificate.completion.score == 75
    assert "75%" in pdf_text(certificate.pdf)


def test_quiz_then_modules_records_the_best_score(db, make_user, make_course):
    learner = make_user()
    course = make_course(quiz=True, pass_mark=70, modules=3)
    take_quiz(db, learner, course, right=3)
    take_quiz(db, learner, course, right=4)
    take_quiz(db, learner, course, right=1)
    assert _count(db, Certificate) == 0  # modules not done yet
    complete_all_modules(learner, course)
    db.session.commit()
    certificate = current_certificate(learner.id, course.id)
    assert certificate.score == 100


def test_the_score_that_earned_it_stays(db, make_user, make_course):
    learner = make_user()
    course = make_course(quiz=True, pass_mark=70)
    complete_all_modules(learner, course)
    take_quiz(db, learner, course, right=3)
    take_quiz(db, learner, course, right=4)  # better, later: no second certificate
    assert _count(db, Certificate) == 1 and _count(db, Completion) == 1
    assert current_certificate(learner.id, course.id).score == 75


def test_failing_at_the_pass_mark_issues_nothing(db, make_user, make_course):
    learner = make_user()
    course = make_course(quiz=True, pass_mark=80)
    complete_all_modules(learner, course)
    take_quiz(db, learner, course, right=3)  # 75% < 80%
    assert _count(db, Completion) == 0
    assert not check_completion(learner, course).complete


def test_unpublished_modules_do_not_count(db, make_user, make_course):
    from elearn.courses.services import complete_module

    learner = make_user()
    course = make_course(modules=3)
    course.modules[2].published = False
    db.session.commit()
    for module in course.modules[:2]:
        complete_module(learner, module)
    db.session.commit()
    assert current_certificate(learner.id, course.id) is not None


def test_the_quiz_passed_signal_alone_completes_a_finished_course(
        app, db, make_user, make_course):
    """The rule listens to ``quiz_passed`` as the quizzes feature sends it."""
    from elearn.signals import quiz_passed

    learner = make_user()
    course = make_course(quiz=True, pass_mark=50)
    complete_all_modules(learner, course)
    attempt = take_quiz(db, learner, course, right=1)  # 25%: not passed, nothing issued
    assert _count(db, Certificate) == 0
    attempt.score, attempt.passed = 50.0, True  # as a trainer's essay grade would lift it
    db.session.flush()
    quiz_passed.send(app, user=learner, course=course, attempt=attempt)
    db.session.commit()
    assert current_certificate(learner.id, course.id).score == 50
