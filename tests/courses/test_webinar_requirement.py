"""A course may require attendance at one of its webinars: set in course.md front matter
(``webinar_required: true``) or on the settings page, and exported back to the files."""

from __future__ import annotations

import re

from sqlalchemy import select

from elearn.courses.export import course_files
from elearn.courses.models import Course
from elearn.courses.reader import read_library
from elearn.courses.sync import sync_library
from tests.courses.conftest import REPORTING, write


def course(db, slug: str) -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def with_front_matter(line: str) -> str:
    return REPORTING.replace("minutes: 30\n", f"minutes: 30\n{line}\n")


def test_front_matter_turns_it_on_and_off(db, library):
    write(library, "courses/article-15/course.md", with_front_matter("webinar_required: true"))
    sync_library(library)
    db.session.commit()
    assert course(db, "article-15").requires_webinar_attendance
    assert not course(db, "customs-trade").requires_webinar_attendance  # left out: no

    write(library, "courses/article-15/course.md", REPORTING)
    sync_library(library)
    db.session.commit()
    assert not course(db, "article-15").requires_webinar_attendance


def test_a_value_that_is_not_true_or_false_is_a_located_problem(library):
    write(library, "courses/article-15/course.md", with_front_matter("webinar_required: maybe"))
    problems = [str(p) for p in read_library(library).problems]
    assert problems == ["courses/article-15/course.md:7: 'webinar_required' must be true or "
                        "false"]


def test_the_export_writes_it_back(db, synced):
    reporting = course(db, "article-15")
    assert "webinar_required" not in course_files(reporting)["article-15/course.md"].decode()
    reporting.requires_webinar_attendance = True
    db.session.commit()
    exported = course_files(reporting)["article-15/course.md"].decode()
    assert re.search(r"\nwebinar_required: true\n", exported)


def test_trainers_set_it_on_the_settings_page(client, db, synced, make_user, login):
    login(make_user(role="trainer"))
    page = client.get("/author/courses/article-15/settings").get_data(as_text=True)
    assert "Learners must also attend one of the course" in page
    client.post("/author/courses/article-15/settings", data={
        "theme": "reporting", "minutes": 30, "quiz_bank": "", "pass_mark": 80,
        "attempts_allowed": 3, "questions_per_attempt": 10,
        "requires_webinar_attendance": "y"})
    assert course(db, "article-15").requires_webinar_attendance
    # No webinar is linked yet: the course's authoring page says learners cannot finish.
    overview = client.get("/author/courses/article-15").get_data(as_text=True)
    assert "none is scheduled" in overview
    client.post("/author/courses/article-15/settings", data={
        "theme": "reporting", "minutes": 30, "quiz_bank": "", "pass_mark": 80,
        "attempts_allowed": 3, "questions_per_attempt": 10})
    assert not course(db, "article-15").requires_webinar_attendance
