"""Courses to complete, and helpers to complete them, for the certificate tests."""

from __future__ import annotations

import io
import unicodedata

import pypdf
import pytest

#: A closing quiz of four short-answer questions: each right answer is worth 25%.
QUIZ = """\
::CITY::Which city hosts the Secretariat of the Stockholm Convention?{=Geneva}

::YEAR::In which year did the Convention enter into force?{=2004}

::ANNEX::In which annex are chemicals listed for elimination?{=A}

::DDT::Which insecticide is listed in Annex B?{=DDT}
"""
RIGHT = {"CITY": "Geneva", "YEAR": "2004", "ANNEX": "A", "DDT": "DDT"}


@pytest.fixture
def make_course(db):
    """make_course(title=..., quiz=False, modules=2, language="en", translations={}) ->
    a published course with published modules, committed; ``quiz=True`` gives it the
    closing quiz QUIZ (pass mark ``pass_mark``, no limit on attempts)."""
    from elearn.courses.models import Course, CourseText, Module, ModuleText, Theme
    from elearn.quizzes import banks

    counter = {"n": 0}

    def factory(*, title="Trade controls for customs officers", quiz=False, modules=2,
                language="en", translations=None, pass_mark=80, summary="Stop illegal trade.",
                theme_title="Customs and trade-related issues"):
        counter["n"] += 1
        n = counter["n"]
        theme = Theme(slug=f"theme-{n}", title=theme_title)
        course = Course(slug=f"course-{n}", theme=theme, language=language, published=True,
                        quiz_bank=f"course-{n}-final" if quiz else None, pass_mark=pass_mark,
                        attempts_allowed=0, questions_per_attempt=4, time_limit_minutes=None)
        if quiz:
            banks.import_bank(course.quiz_bank, QUIZ, title="Final quiz")
        course.texts.append(CourseText(language=language, title=title, summary=summary))
        for lang, other in (translations or {}).items():
            course.texts.append(CourseText(language=lang, title=other, summary=""))
        for position in range(1, modules + 1):
            module = Module(slug=f"module-{position}", position=position, published=True)
            module.texts.append(ModuleText(language=language, title=f"Module {position}",
                                           body_markdown="Text.", body_html="<p>Text.</p>"))
            course.modules.append(module)
        db.session.add(course)
        db.session.commit()
        return course

    return factory


def complete_all_modules(user, course) -> None:
    """What the learner does on the module pages: mark every module complete."""
    from elearn.courses.services import complete_module

    for module in course.published_modules:
        complete_module(user, module)


def take_quiz(db, user, course, right: int):
    """Take the course's quiz with ``right`` of its four questions answered right, and
    commit; returns the graded attempt."""
    from elearn.courses.services import enrol
    from elearn.quizzes.attempts import save_answers, start_attempt, submit_attempt

    enrol(user, course)
    attempt, _created = start_attempt(user, course)
    names = sorted(RIGHT)
    responses = {
        next(a.slot for a in attempt.answers if a.question.name == name):
            RIGHT[name] if index < right else "I do not know"
        for index, name in enumerate(names)
    }
    save_answers(attempt, responses)
    submit_attempt(attempt)
    db.session.commit()
    return attempt


@pytest.fixture
def complete(db):
    """complete(user, course) -> the learner's certificate, committed (or None)."""
    from elearn.certificates.services import current_certificate

    def do(user, course):
        complete_all_modules(user, course)
        db.session.commit()
        return current_certificate(user.id, course.id)

    return do


@pytest.fixture
def certificate(make_user, make_course, complete):
    """A valid certificate of a learner for a course without a quiz."""
    learner = make_user(name="Amina Diallo", email="amina@douanes.example.sn",
                        timezone="Africa/Dakar")
    return complete(learner, make_course())


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader sees it (see tests/unit/test_certificate_pdf.py)."""
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    return " ".join(text.split())
