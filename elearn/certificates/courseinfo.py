"""What certificates need to know about a course, in one place.

Certificates keep a snapshot (title, theme) so a later edit of the course never changes a
certificate already issued; these facts are read at issue time and for the Open Badges
credential's achievement.
"""

from __future__ import annotations

from dataclasses import dataclass

from elearn.accounts.services import external_url
from elearn.courses.models import Course
from elearn.extensions import db


@dataclass(frozen=True)
class CourseFacts:
    id: int
    slug: str
    #: The title in the language asked for, else in the course's own language.
    title: str
    #: The theme's title in the language asked for, else in English.
    theme_title: str
    summary: str
    #: The closing quiz's pass mark (percent), or None for a course without a quiz.
    pass_mark: int | None
    #: The course page: the achievement's id in the badge.
    url: str


def facts_of(course: Course, language: str) -> CourseFacts:
    text = course.text(language)
    return CourseFacts(
        id=course.id,
        slug=course.slug,
        title=text.title if text else course.slug,
        theme_title=course.theme.localized(language).title if course.theme else "",
        summary=text.summary if text else "",
        pass_mark=course.pass_mark if course.quiz_bank else None,
        url=external_url(f"/courses/{course.slug}"),
    )


def course_facts(course_id: int, language: str) -> CourseFacts:
    return facts_of(db.session.get(Course, course_id), language)
