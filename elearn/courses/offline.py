"""A course as one self-contained HTML file, to read where there is no connection.

The file holds the course's introduction and every published module in one language,
with a table of contents, the stylesheet inlined and the course images inlined as
``data:`` URIs (the copies pages show, so the file stays small). It has no script: it
cannot call the site. Each module ends instead with a link to the site's page that marks
it complete, which the learner follows when back online.

The stored, sanitised module HTML is adapted, not re-rendered: heading ids get a prefix
per module (so the file has no duplicate ids), links between modules of the course point
inside the file, other site links become absolute, and headings move one level down
under each module's title.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import force_locale, format_date
from sqlalchemy import select

from elearn.accounts.services import external_url
from elearn.courses.models import Course, CourseMedia, Module
from elearn.db import utcnow
from elearn.extensions import db

_IMG_RE = re.compile(r"<img\b[^>]*>")
_SRC_RE = re.compile(r'\bsrc="([^"]*)"')
_ID_RE = re.compile(r'\bid="([^"]*)"')
_HREF_RE = re.compile(r'\bhref="([^"]*)"')
_HEADING_RE = re.compile(r"<(/?)h([1-6])\b")
_MODULE_LINK_RE = re.compile(r"(?:.*)/courses/([a-z0-9-]+)/modules/([a-z0-9-]+)/?")
_COURSE_LINK_RE = re.compile(r"(?:.*)/courses/([a-z0-9-]+)/?")
_MEDIA_RE = re.compile(r"(?:.*)/courses/([a-z0-9-]+)/media/([a-z0-9][a-z0-9_.-]*)")


def section_id(module: Module) -> str:
    return f"module-{module.slug}"


class _Adapter:
    """Turns a text's stored HTML into a part of the offline file."""

    def __init__(self, course: Course, modules: list[Module]):
        self.course = course
        self.slugs = {m.slug for m in modules}
        self._images: dict[tuple[str, str], str | None] = {}

    def __call__(self, html: str, prefix: str) -> str:
        html = _ID_RE.sub(lambda m: f'id="{prefix}--{m.group(1)}"', html)
        html = _HREF_RE.sub(lambda m: f'href="{self._href(m.group(1), prefix)}"', html)
        html = _IMG_RE.sub(self._image, html)
        return _HEADING_RE.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)

    def _href(self, href: str, prefix: str) -> str:
        if href.startswith("#"):
            return f"#{prefix}--{href[1:]}" if len(href) > 1 else "#"
        if not href.startswith("/") or href.startswith("//"):
            return href  # http(s), mailto: unchanged
        path, _, fragment = href.partition("#")
        module = _MODULE_LINK_RE.fullmatch(path)
        if module and module.group(1) == self.course.slug and module.group(2) in self.slugs:
            slug = module.group(2)
            return f"#{slug}--{fragment}" if fragment else f"#module-{slug}"
        course = _COURSE_LINK_RE.fullmatch(path)
        if course and course.group(1) == self.course.slug and not fragment:
            return "#top"
        return external_url(href)

    def _image(self, match: re.Match) -> str:
        tag = match.group(0).replace(' loading="lazy"', "")  # already in the file
        src = _SRC_RE.search(tag)
        media = _MEDIA_RE.fullmatch(src.group(1)) if src else None
        if media is None:
            return tag
        data_uri = self._data_uri(media.group(1), media.group(2))
        new = data_uri or external_url(src.group(1))
        return tag[:src.start(1)] + new + tag[src.end(1):]

    def _data_uri(self, course_slug: str, filename: str) -> str | None:
        key = (course_slug, filename)
        if key not in self._images:
            media = db.session.execute(
                select(CourseMedia).join(Course)
                .where(Course.slug == course_slug, CourseMedia.filename == filename)
            ).scalar_one_or_none()
            uri = None
            if media is not None and media.content_type.startswith("image/"):
                data = media.resized or media.data
                uri = f"data:{media.content_type};base64,{base64.b64encode(data).decode()}"
            self._images[key] = uri
        return self._images[key]


def _stylesheet() -> str:
    return Path(current_app.static_folder, "style.css").read_text(encoding="utf-8")


def filename(course: Course, language: str) -> str:
    return f"{course.slug}-{language}.html"


def offline_course(course: Course, language: str, now: datetime | None = None) -> str:
    """The course in ``language`` (modules not translated stay in the course's language),
    as one HTML file, its interface text in ``language`` too."""
    modules = course.published_modules
    adapt = _Adapter(course, modules)
    text = course.text(language)
    parts = []
    for number, module in enumerate(modules, start=1):
        module_text = module.text(language)
        heading, rest = module_text.heading_and_rest
        parts.append({
            "module": module, "text": module_text, "number": number,
            "id": section_id(module), "html": adapt(rest, module.slug),
            "complete_url": external_url(url_for(
                "courses.confirm_complete", slug=course.slug, module=module.slug)),
        })
    with force_locale(language):
        return render_template(
            "courses/offline.html", course=course, text=text, language=language,
            intro=adapt(text.intro_body_html, "intro"), parts=parts, css=_stylesheet(),
            course_url=external_url(url_for("courses.course", slug=course.slug)),
            saved_on=format_date(now or utcnow(), "long"),
        )
