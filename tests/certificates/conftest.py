"""Courses to complete, and helpers to complete them, for the certificate tests."""

from __future__ import annotations

import io
import unicodedata

import pypdf
import pytest


@pytest.fixture
def make_course(db):
    """make_course(title=..., quiz=False, modules=2, language="en", translations={}) ->
    a published course with published modules, committed."""
    from elearn.courses.models import Course, CourseText, Module, ModuleText, Theme

    counter = {"n": 0}

    def factory(*, title="Trade controls for customs officers", quiz=False, modules=2,
                language="en", translations=None, pass_mark=80, summary="Stop illegal trade.",
                theme_title="Customs and trade-related issues"):
        counter["n"] += 1
        n = counter["n"]
        theme = Theme(slug=f"theme-{n}", title=theme_title)
        course = Course(slug=f"course-{n}", theme=theme, language=language, published=True,
                        quiz_bank=f"course-{n}-final" if quiz else None, pass_mark=pass_mark)
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
