"""Themes, courses, modules, their per-language texts and revisions; enrolment, progress, media.

A course and its modules hold what does not depend on the language (slug, theme, order,
minutes, the closing quiz's settings); ``CourseText`` and ``ModuleText`` hold one row per
language, with the Markdown as written and the HTML rendered from it when it was saved
or synced (pages never render Markdown per request).

``created_at``/``updated_at`` are set by the services, not by an ``onupdate`` hook, so a
sync that only notes a new file hash does not look like a content change.
``source_hash`` marks rows that come from the content library (``courses/``): the SHA-256
of the file as last synced; None for what was made in the browser (or removed from files).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import utcnow
from elearn.extensions import db


class ThemeText(NamedTuple):
    """A theme's texts in one language (see ``Theme.localized``)."""

    title: str
    description: str
    audiences: list[str]


def base_language(language) -> str:
    """``fr`` from ``fr``, ``fr_CA``, ``fr-CA`` or a Babel ``Locale``; ``en`` for nothing."""
    code = getattr(language, "language", None) or str(language or "en")
    return code.replace("-", "_").split("_")[0].lower()


class Theme(db.Model):
    """A programme area (customs, POPRC, reporting...): data from ``courses/themes.yml``.

    ``title``, ``description`` and ``audiences`` are the English texts; ``translations``
    holds the other UN languages. Pages and the API show ``localized(language)``.
    """

    __tablename__ = "themes"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier used in files and URLs (``customs``).
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    #: Display title.
    title: Mapped[str] = mapped_column(String(200))
    #: What the programme does in this area (plain text).
    description: Mapped[str] = mapped_column(Text, default="")
    #: Who the theme's activities are for, as a list of strings.
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Texts in the other UN languages, by language code: ``{"fr": {"title": ...,
    #: "description": ..., "audiences": [...]}}``; a missing description or audiences
    #: (or a missing language) falls back to the English columns above.
    translations: Mapped[dict[str, dict]] = mapped_column(JSON, default=dict,
                                                          server_default="{}")
    #: Display order (themes.yml ``order``).
    position: Mapped[int] = mapped_column(default=0, index=True)
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its content last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    courses: Mapped[list[Course]] = relationship(back_populates="theme")

    def language_for(self, language) -> str:
        """The language ``localized(language)`` answers in: ``language`` if the theme has
        a translation in it, else English (for a ``lang`` attribute on what is shown)."""
        code = base_language(language)
        return code if code in (self.translations or {}) else "en"

    @staticmethod
    def title_in(title: str, translations: dict | None, language) -> str:
        """The title in ``language`` from a theme's ``title`` and ``translations`` columns
        (for lists that read those two columns rather than whole rows)."""
        return ((translations or {}).get(base_language(language)) or {}).get("title") or title

    def localized(self, language) -> ThemeText:
        """(title, description, audiences) in ``language``, each falling back to English."""
        text = (self.translations or {}).get(base_language(language)) or {}
        return ThemeText(
            title=Theme.title_in(self.title, self.translations, language),
            description=text.get("description") or self.description,
            audiences=list(text.get("audiences") or self.audiences or []),
        )

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class Course(db.Model):
    """A course: the language-independent part, plus its closing quiz's settings."""

    __tablename__ = "courses"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier: the folder name in ``courses/`` and the URL segment.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: The programme theme it belongs to.
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    #: The language it is written in; translations fall back to it.
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: Estimated time to complete, in minutes.
    minutes: Mapped[int] = mapped_column(default=0)
    #: Visible to learners.
    published: Mapped[bool] = mapped_column(default=False, index=True)
    #: Slug of the question bank of the closing quiz (``quizzes/<bank>.gift``); None: no quiz.
    quiz_bank: Mapped[str | None] = mapped_column(String(100), index=True)
    #: Percentage needed to pass the closing quiz.
    pass_mark: Mapped[int] = mapped_column(default=80)
    #: Attempts a learner may make; 0 means no limit.
    attempts_allowed: Mapped[int] = mapped_column(default=3)
    #: Time allowed per attempt in minutes; None means no limit.
    time_limit_minutes: Mapped[int | None]
    #: Questions drawn from the bank for each attempt.
    questions_per_attempt: Mapped[int] = mapped_column(default=10)
    #: Shuffle the answers of multiple-choice questions.
    shuffle_answers: Mapped[bool] = mapped_column(default=True)
    #: Show each question's feedback after an attempt.
    show_feedback: Mapped[bool] = mapped_column(default=True)
    #: Show the correct answers after an attempt.
    show_correct_answers: Mapped[bool] = mapped_column(default=True)
    #: Completion also needs attendance at a webinar linked to the course (a webinar
    #: whose ``course_slug`` is this slug); front matter ``webinar_required: true``.
    requires_webinar_attendance: Mapped[bool] = mapped_column(default=False,
                                                              server_default=false())
    #: SHA-256 of ``course.md`` as last synced; None when not (or no longer) from files.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: The trainer who created it in the browser; None for library courses.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its settings or texts last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    theme: Mapped[Theme] = relationship(back_populates="courses")
    texts: Mapped[list[CourseText]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseText.language"
    )
    modules: Mapped[list[Module]] = relationship(
        back_populates="course", cascade="all, delete-orphan",
        order_by=lambda: (Module.position, Module.id),
    )

    def text(self, language: str | None = None) -> CourseText:
        """The text in ``language``, else in the course's own language."""
        return pick_text(self.texts, language, self.language)

    @property
    def languages(self) -> list[str]:
        return sorted(t.language for t in self.texts)

    @property
    def published_modules(self) -> list[Module]:
        return [m for m in self.modules if m.published]

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseText(db.Model):
    """A course's title, summary, audience and introduction in one language."""

    __tablename__ = "course_texts"
    __table_args__ = (UniqueConstraint("course_id", "language"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The course.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: Language code (en, fr, es, ar, ru, zh).
    language: Mapped[str] = mapped_column(String(5), index=True)
    #: Course title.
    title: Mapped[str] = mapped_column(String(200))
    #: One-paragraph summary shown in the catalogue (plain text).
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Who the course is for, as a list of strings.
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The introduction as written (Markdown).
    intro_markdown: Mapped[str] = mapped_column(Text, default="")
    #: The introduction rendered by ``elearn.markup`` when saved.
    intro_html: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 of the file (``course.md``/``course.fr.md``) as last synced; None otherwise.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the text last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="texts")

    @property
    def intro_body_html(self) -> str:
        """The introduction without a leading ``<h1>`` (the course page prints the title)."""
        return split_heading(self.intro_html)[1]


class Module(db.Model):
    """One page of a course, in order."""

    __tablename__ = "modules"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        Index("ix_modules_course_position", "course_id", "position"),
    )

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The course.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: The file name without ``NN-`` and ``.md``; unique within the course.
    slug: Mapped[str] = mapped_column(String(80))
    #: Order in the course (the file's ``NN``).
    position: Mapped[int] = mapped_column(default=1)
    #: Estimated reading time in minutes.
    minutes: Mapped[int] = mapped_column(default=0)
    #: Visible to learners and counted in progress. Never deleted: unpublished instead.
    published: Mapped[bool] = mapped_column(default=True, index=True)
    #: SHA-256 of the original-language file (name and content) as last synced, or None.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When its settings or texts last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="modules")
    texts: Mapped[list[ModuleText]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="ModuleText.language"
    )

    def text(self, language: str | None = None) -> ModuleText:
        return pick_text(self.texts, language, self.course.language)

    def __repr__(self) -> str:
        return f"<Module {self.course_id}/{self.slug}>"


class ModuleText(db.Model):
    """A module's title and body in one language."""

    __tablename__ = "module_texts"
    __table_args__ = (UniqueConstraint("module_id", "language"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The module.
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    #: Language code.
    language: Mapped[str] = mapped_column(String(5), index=True)
    #: Module title.
    title: Mapped[str] = mapped_column(String(200))
    #: The body as written (Markdown).
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    #: The body rendered by ``elearn.markup`` when saved.
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: The body's table of contents (rendered, sanitised); "" without headings.
    toc_html: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 of the file as last synced; None otherwise.
    source_hash: Mapped[str | None] = mapped_column(String(64))
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the text last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship(back_populates="texts")
    revisions: Mapped[list[ModuleRevision]] = relationship(
        back_populates="text", cascade="all, delete-orphan",
        order_by="ModuleRevision.number.desc()",
    )

    @property
    def heading_and_rest(self) -> tuple[str, str]:
        """The body's own leading ``<h1>`` (or "") and the rest, so a page can put the
        table of contents under the heading instead of printing the title twice."""
        return split_heading(self.body_html)


class ModuleRevision(db.Model):
    """A saved state of a module text: who saved it, when, and the Markdown."""

    __tablename__ = "module_revisions"
    __table_args__ = (UniqueConstraint("module_text_id", "number"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The module text it is a revision of.
    module_text_id: Mapped[int] = mapped_column(
        ForeignKey("module_texts.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3... within the module text.
    number: Mapped[int]
    #: Who saved it; None for the content sync.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When it was saved (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The title at that time.
    title: Mapped[str] = mapped_column(String(200))
    #: The Markdown at that time.
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    #: How it came about ("Content sync", "Restored revision 3"); "" for an edit.
    note: Mapped[str] = mapped_column(String(200), default="")

    text: Mapped[ModuleText] = relationship(back_populates="revisions")
    author = relationship("User")


class Enrolment(db.Model):
    """A learner taking a course. Leaving deletes it; completed modules are kept."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The learner.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The course.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: When the learner enrolled (UTC).
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The module the learner last opened or completed: where "Resume" leads.
    last_module_id: Mapped[int | None] = mapped_column(
        ForeignKey("modules.id", ondelete="SET NULL"), index=True
    )
    #: When the learner last opened or completed a module of the course (UTC).
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    course: Mapped[Course] = relationship()
    last_module: Mapped[Module | None] = relationship()


class ModuleProgress(db.Model):
    """A learner marked a module complete (kept when the module is later unpublished)."""

    __tablename__ = "module_progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The learner.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The module.
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    #: When the learner marked it complete (UTC).
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    module: Mapped[Module] = relationship()


class CourseMedia(db.Model):
    """An image (or other file) a course's Markdown refers to as ``media/<filename>``.

    Stored in the database so every web process can serve it.
    """

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("course_id", "filename"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The course.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    #: Safe file name (``[a-z0-9._-]``), as used in ``media/<filename>``.
    filename: Mapped[str] = mapped_column(String(120))
    #: MIME type, decided from the file's first bytes, not from what the browser said.
    content_type: Mapped[str] = mapped_column(String(100))
    #: Size in bytes.
    size: Mapped[int]
    #: SHA-256 of the content (ETag, and to tell a changed file in the sync).
    sha256: Mapped[str] = mapped_column(String(64))
    #: The file itself, as uploaded or synced.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: Width in pixels of the image as pages show it (the resized copy when there is
    #: one); 0 when it could not be read; None for other files, and for images stored
    #: before sizes were measured.
    width: Mapped[int | None]
    #: Height in pixels of the image as pages show it; None like ``width``.
    height: Mapped[int | None]
    #: A copy at most ``media.DISPLAY_WIDTH`` pixels wide that pages show when the
    #: original is wider; None otherwise (the original is shown).
    resized: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: Who uploaded it; None for the content sync.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: When it was stored or last replaced (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()

    @property
    def measured(self) -> bool:
        """Whether the image's display size is known (it always is for new uploads)."""
        return self.width is not None or not self.content_type.startswith("image/")


def split_heading(html: str) -> tuple[str, str]:
    """``(leading <h1>...</h1>, rest)`` of stored, sanitised HTML; ``("", html)`` if none."""
    stripped = html.lstrip()
    if stripped.startswith("<h1"):
        end = stripped.find("</h1>")
        if end != -1:
            return stripped[: end + 5], stripped[end + 5 :].lstrip()
    return "", html


def pick_text(texts, language: str | None, fallback: str):
    """The text in ``language`` if there is one, else in ``fallback``, else the first."""
    by_language = {t.language: t for t in texts}
    if language in by_language:
        return by_language[language]
    if fallback in by_language:
        return by_language[fallback]
    return texts[0] if texts else None
