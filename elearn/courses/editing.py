"""Authoring operations: what a trainer (or the content sync) does to courses and modules.

Every function changes models and flushes; none commits (the view or CLI does, once).
Markdown is rendered here, when it is saved, and the HTML is stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from elearn.courses.library import SLUG_RE
from elearn.courses.links import check_links, rewriter, url_context
from elearn.courses.media import check_media
from elearn.courses.models import (
    Course,
    CourseMedia,
    CourseText,
    Module,
    ModuleRevision,
    ModuleText,
    Theme,
)
from elearn.db import utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.markup import RenderedMarkdown, render_document
from elearn.quizzes.banks import bank_exists


class AuthoringError(DomainError):
    """A trainer's change was refused (bad slug, broken link, bad upload...)."""

    status = 422


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_markdown(text: str) -> str:
    """Unix newlines and one final newline, as a file in the library would have."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n" if text.strip() else ""


def render_text(course_slug: str, markdown: str) -> RenderedMarkdown:
    """Render course Markdown with library links turned into site URLs."""
    with url_context():
        return render_document(
            markdown, base_url=current_app.config.get("BASE_URL"),
            link_rewriter=rewriter(course_slug),
        )


class _DatabaseIndex:
    """What exists in the database, for checking links written in the browser."""

    def has_course(self, course: str) -> bool:
        return _course_id(course) is not None

    def has_module(self, course: str, module: str) -> bool:
        return db.session.execute(
            select(Module.id).join(Course).where(Course.slug == course, Module.slug == module)
        ).first() is not None

    def has_media(self, course: str, filename: str) -> bool:
        return db.session.execute(
            select(CourseMedia.id).join(Course)
            .where(Course.slug == course, CourseMedia.filename == filename)
        ).first() is not None


def _course_id(slug: str) -> int | None:
    return db.session.execute(select(Course.id).where(Course.slug == slug)).scalar()


def broken_links(course: Course, markdown: str) -> list[str]:
    """Messages ("line 4: broken link ...") for links that lead nowhere on this site."""
    return [
        _("line %(line)s: %(message)s", line=line, message=message)
        for line, message in check_links(markdown, course.slug, _DatabaseIndex())
    ]


def _refuse_broken_links(course: Course, markdown: str, field: str) -> None:
    problems = broken_links(course, markdown)
    if problems:
        raise AuthoringError(_("Some links lead nowhere."), errors={field: problems})


# --------------------------------------------------------------------------- courses


def create_course(*, slug: str, theme: Theme, language: str, title: str, summary: str,
                  audience: list[str], intro: str, user, **settings) -> Course:
    """A new, unpublished course with its text in ``language``."""
    if not SLUG_RE.fullmatch(slug or "") or len(slug) > 80:
        raise AuthoringError(_("Use lower-case letters, digits and '-' for the address."),
                             errors={"slug": [_("Not a valid address.")]})
    if _course_id(slug) is not None:
        raise AuthoringError(_("A course with this address already exists."),
                             errors={"slug": [_("Already taken.")]}, status=409)
    now = utcnow()
    course = Course(slug=slug, theme=theme, language=language, published=False,
                    created_by_id=user.id if user else None, created_at=now, updated_at=now)
    db.session.add(course)
    update_course_settings(course, theme=theme, **settings)
    db.session.flush()
    save_course_text(course, language, title=title, summary=summary, audience=audience,
                     intro=intro)
    return course


def update_course_settings(course: Course, *, theme: Theme, minutes: int, quiz_bank: str | None,
                           pass_mark: int, attempts_allowed: int, time_limit_minutes: int | None,
                           questions_per_attempt: int, shuffle_answers: bool,
                           show_feedback: bool, show_correct_answers: bool,
                           requires_webinar_attendance: bool | None = None) -> bool:
    """Change a course's settings; True if any changed. ``requires_webinar_attendance``
    None leaves that setting as it is. A closing quiz must name an existing question
    bank (the one it already has is kept even if it has gone)."""
    if quiz_bank and quiz_bank != course.quiz_bank and not bank_exists(quiz_bank):
        raise AuthoringError(_("There is no question bank “%(slug)s”.", slug=quiz_bank),
                             errors={"quiz_bank": [_("Choose a question bank from the list.")]})
    values = {
        "theme": theme, "minutes": minutes, "quiz_bank": quiz_bank or None,
        "pass_mark": pass_mark, "attempts_allowed": attempts_allowed,
        "time_limit_minutes": time_limit_minutes or None,
        "questions_per_attempt": questions_per_attempt, "shuffle_answers": shuffle_answers,
        "show_feedback": show_feedback, "show_correct_answers": show_correct_answers,
    }
    if requires_webinar_attendance is not None:
        values["requires_webinar_attendance"] = bool(requires_webinar_attendance)
    changed = False
    for key, value in values.items():
        if getattr(course, key) != value:
            setattr(course, key, value)
            changed = True
    if changed:
        course.updated_at = utcnow()
        db.session.flush()
    return changed


def save_course_text(course: Course, language: str, *, title: str, summary: str,
                     audience: list[str], intro: str) -> CourseText:
    """Create or update the course's text in ``language``."""
    intro = normalise_markdown(intro)
    _refuse_broken_links(course, intro, "intro")
    text = next((t for t in course.texts if t.language == language), None)
    if text is None:
        text = CourseText(course=course, language=language)
        db.session.add(text)
    values = {"title": title.strip(), "summary": summary.strip(), "audience": audience,
              "intro_markdown": intro}
    if any(getattr(text, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(text, key, value)
        text.intro_html = render_text(course.slug, intro).html
        text.updated_at = course.updated_at = utcnow()
    db.session.flush()
    return text


def set_course_published(course: Course, published: bool) -> None:
    if published and not course.published_modules:
        raise AuthoringError(_("Publish at least one module before publishing the course."))
    course.published = published
    course.updated_at = utcnow()
    db.session.flush()


# --------------------------------------------------------------------------- modules


def create_module(course: Course, *, slug: str, title: str, minutes: int, body: str,
                  user) -> Module:
    """A new module at the end of the course, with its text in the course's language."""
    if not SLUG_RE.fullmatch(slug or "") or len(slug) > 80:
        raise AuthoringError(_("Use lower-case letters, digits and '-' for the address."),
                             errors={"slug": [_("Not a valid address.")]})
    if any(m.slug == slug for m in course.modules):
        raise AuthoringError(_("This course already has a module with this address."),
                             errors={"slug": [_("Already taken.")]}, status=409)
    body = normalise_markdown(body)
    _refuse_broken_links(course, body, "body")
    last = db.session.execute(
        select(func.max(Module.position)).where(Module.course_id == course.id)
    ).scalar()
    now = utcnow()
    module = Module(course=course, slug=slug, position=(last or 0) + 1, minutes=minutes,
                    published=True, created_at=now, updated_at=now)
    db.session.add(module)
    text = ModuleText(module=module, language=course.language, created_at=now)
    db.session.add(text)
    set_module_text(text, title.strip(), body, author=user, now=now)
    db.session.flush()
    return module


def save_module(module: Module, language: str, *, title: str, body: str, user,
                minutes: int | None = None) -> bool:
    """Save a module's text in ``language`` (a new translation if needed); True if changed.

    Every change keeps a revision. ``minutes`` is the module's, whatever the language.
    """
    body = normalise_markdown(body)
    _refuse_broken_links(module.course, body, "body")
    now = utcnow()
    changed = False
    if minutes is not None and module.minutes != minutes:
        module.minutes, module.updated_at, changed = minutes, now, True
    text = next((t for t in module.texts if t.language == language), None)
    if text is None:
        text = ModuleText(module=module, language=language, created_at=now)
        db.session.add(text)
    changed = set_module_text(text, title.strip(), body, author=user, now=now) or changed
    db.session.flush()
    return changed


def set_module_text(text: ModuleText, title: str, body: str, *, author, note: str = "",
                    now: datetime | None = None) -> bool:
    """Set title and body if they differ: render, keep a revision. True if they differed."""
    if text.title == title and text.body_markdown == body and text.id is not None:
        return False
    now = now or utcnow()
    rendered = render_text(text.module.course.slug, body)
    text.title, text.body_markdown = title, body
    text.body_html, text.toc_html = rendered.html, rendered.toc
    text.updated_at = now
    number = max((r.number for r in text.revisions), default=0) + 1
    text.revisions.append(ModuleRevision(
        number=number, author_id=author.id if author else None, created_at=now, title=title,
        body_markdown=body, note=note,
    ))
    return True


def restore_revision(revision: ModuleRevision, user) -> bool:
    """Make an earlier revision the current text again (as a new revision)."""
    text = revision.text
    return set_module_text(text, revision.title, revision.body_markdown, author=user,
                           note=_("Restored revision %(number)s", number=revision.number))


def move_module(module: Module, direction: str) -> bool:
    """Swap the module with its neighbour ("up" or "down"); False at either end."""
    siblings = list(module.course.modules)
    index = siblings.index(module)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(siblings):
        return False
    # Renumber densely first so equal positions cannot make a swap a no-op.
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    siblings[index].position, siblings[other].position = other + 1, index + 1
    module.updated_at = siblings[other].updated_at = utcnow()
    db.session.flush()
    module.course.modules.sort(key=lambda m: (m.position, m.id))
    return True


def set_module_published(module: Module, published: bool) -> None:
    module.published = published
    module.updated_at = utcnow()
    db.session.flush()


# --------------------------------------------------------------------------- media


def store_media(course: Course, filename: str, content_type: str, data: bytes, *, user,
                now: datetime | None = None) -> CourseMedia:
    """Add or replace ``media/<filename>`` of the course (already checked)."""
    media = db.session.execute(
        select(CourseMedia).where(CourseMedia.course_id == course.id,
                                  CourseMedia.filename == filename)
    ).scalar_one_or_none()
    if media is None:
        media = CourseMedia(course=course, filename=filename)
        db.session.add(media)
    media.content_type, media.data, media.size = content_type, data, len(data)
    media.sha256 = sha256(data)
    media.uploaded_by_id = user.id if user else None
    media.created_at = now or utcnow()
    db.session.flush()
    return media


def upload_media(course: Course, filename: str, data: bytes, user) -> CourseMedia:
    """Check an uploaded file (name, type from its bytes, size) and store it."""
    max_bytes = current_app.config.get("COURSE_MEDIA_MAX_BYTES", 2 * 1024 * 1024)
    content_type, reason = check_media(filename, data, max_bytes)
    if reason:
        raise AuthoringError(reason, errors={"file": [reason]})
    return store_media(course, filename, content_type, data, user=user)


def delete_media(media: CourseMedia) -> None:
    db.session.delete(media)
    db.session.flush()
