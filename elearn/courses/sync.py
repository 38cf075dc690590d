"""``flask content sync``: the content library's files become database rows.

The sync is a list of **steps**, run in order. A step is an object with::

    name: str                                  # "courses", "quiz banks"...
    validate(root: Path) -> list[Problem]      # read files only, never the database
    apply(root: Path) -> StepSummary           # upsert rows and flush; never commit

``check_library`` runs every step's ``validate``; ``sync_library`` runs every ``apply``
in the caller's transaction (the CLI commits once, after the last step, and rolls back
on any error), so the library changes all at once or not at all. ``Problem``
(``elearn.courses.library``) prints as ``path:line: message``.

To plug in another step (the quizzes feature's bank sync), add its class's dotted path to
``STEPS``; it is instantiated once per run, so it may cache what ``validate`` read for
``apply``. Steps must be idempotent: a second run with the same files changes nothing.

What the course step does (``CourseLibraryStep``): themes are upserted by slug, with their
``translations``; courses by folder name; modules by slug within their course; texts by
language. Each file's SHA-256 is kept in ``source_hash``: a file that did not change since
the last sync is skipped, so edits made in the browser survive until the file itself
changes ("the file wins when it changes"). A changed file is compared field by field and
only real differences are written (new revision, ``updated_at``, re-rendered HTML). A
module (or course) that came from files and is no longer there is unpublished, never
deleted, so learners' progress stays; a translation file that is removed takes its text
with it. Media files are added or replaced, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from elearn.courses import editing
from elearn.courses.library import CourseSource, Library, Problem, as_list
from elearn.courses.links import url_context
from elearn.courses.models import Course, CourseMedia, CourseText, Module, ModuleText, Theme
from elearn.courses.reader import read_library
from elearn.db import utcnow
from elearn.extensions import db

#: The steps of ``flask content sync``, in order (``module:Class``).
STEPS: list[str] = [
    "elearn.courses.sync:CourseLibraryStep",
    "elearn.quizzes.sync:BankLibraryStep",
]


@dataclass
class StepSummary:
    """What one step did: labels of what was added, changed, removed; a count of the rest."""

    name: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        head = (f"{self.name}: {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.removed)} removed or unpublished, {self.unchanged} unchanged")
        return [head] + [f"  + {x}" for x in self.added] + [f"  ~ {x}" for x in self.changed] \
            + [f"  - {x}" for x in self.removed]


def load_steps() -> list:
    steps = []
    for path in STEPS:
        module, _, name = path.partition(":")
        steps.append(getattr(import_module(module), name)())
    return steps


def check_library(root: Path | str, steps: list | None = None) -> list[Problem]:
    """Every problem every step finds in the files under ``root`` (nothing is written)."""
    steps = load_steps() if steps is None else steps
    return [problem for step in steps for problem in step.validate(Path(root))]


def sync_library(root: Path | str, steps: list | None = None) -> list[StepSummary]:
    """Validate, then apply every step. Raises ``LibraryProblems`` before writing anything
    if the files have problems. Flushes; the caller commits (or rolls back)."""
    steps = load_steps() if steps is None else steps
    problems = check_library(root, steps)
    if problems:
        raise LibraryProblems(problems)
    return [step.apply(Path(root)) for step in steps]


class LibraryProblems(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content library")
        self.problems = problems


# --------------------------------------------------------------------------- the course step


def _assign(obj, values: dict) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


class CourseLibraryStep:
    """Themes (``courses/themes.yml``), courses, modules, their texts and media."""

    name = "courses"

    def __init__(self) -> None:
        self._library: Library | None = None

    def _read(self, root: Path) -> Library:
        if self._library is None or self._library.root != root.resolve():
            max_bytes = current_app.config.get("COURSE_MEDIA_MAX_BYTES", 2 * 1024 * 1024)
            self._library = read_library(root, max_media_bytes=max_bytes)
        return self._library

    def validate(self, root: Path) -> list[Problem]:
        return list(self._read(root).problems)

    def apply(self, root: Path) -> StepSummary:
        library = self._read(root)
        if library.problems:
            raise LibraryProblems(library.problems)
        summary = StepSummary(self.name)
        now = utcnow()
        themes = self._themes(library, summary, now)
        seen = set()
        with url_context():
            for source in library.courses:
                seen.add(source.slug)
                _CourseSync(source, themes, summary, now).run()
        gone = db.session.execute(
            select(Course).where(Course.source_hash.is_not(None), Course.slug.not_in(seen))
        ).scalars()
        for course in gone:
            course.published, course.source_hash = False, None
            course.updated_at = now
            summary.removed.append(f"course {course.slug} (unpublished: folder removed)")
        db.session.flush()
        return summary

    def _themes(self, library: Library, summary: StepSummary, now) -> dict[str, Theme]:
        themes = {t.slug: t for t in db.session.execute(select(Theme)).scalars()}
        for source in library.themes:
            theme = themes.get(source.slug)
            if theme is None:
                theme = themes[source.slug] = Theme(slug=source.slug, created_at=now)
                db.session.add(theme)
                summary.added.append(f"theme {source.slug}")
            elif not _differs(theme, source):
                summary.unchanged += 1
                continue
            else:
                summary.changed.append(f"theme {source.slug}")
            theme.title, theme.description = source.title, source.description
            theme.audiences, theme.position = source.audiences, source.position
            theme.translations = source.translations
            theme.updated_at = now
        db.session.flush()
        return themes


def _differs(theme: Theme, source) -> bool:
    return (theme.title, theme.description, theme.audiences, theme.position,
            theme.translations or {}) != (
        source.title, source.description, source.audiences, source.position,
        source.translations)


def course_settings(meta: dict, theme: Theme) -> dict:
    """Course columns from ``course.md`` front matter (defaults for what is left out).

    ``webinar_required: true`` makes attendance at a webinar linked to the course part of
    its completion rule.

    Without a ``quiz`` block only ``quiz_bank`` is cleared; the other quiz settings are
    left as they are (they mean nothing without a bank, and the export leaves them out).
    """
    values = {
        "theme_id": theme.id,
        "language": meta["language"],
        "minutes": meta.get("minutes", 0),
        "published": meta.get("published", True),
        "requires_webinar_attendance": meta.get("webinar_required", False),
        "quiz_bank": None,
    }
    quiz = meta.get("quiz")
    if quiz:
        values.update({
            "quiz_bank": quiz["bank"],
            "pass_mark": quiz.get("pass_mark", 80),
            "attempts_allowed": quiz.get("attempts", 3),
            "time_limit_minutes": quiz.get("time_limit_minutes"),
            "questions_per_attempt": quiz.get("questions", 10),
            "shuffle_answers": quiz.get("shuffle_answers", True),
            "show_feedback": quiz.get("show_feedback", True),
            "show_correct_answers": quiz.get("show_correct_answers", True),
        })
    return values


class _CourseSync:
    def __init__(self, source: CourseSource, themes: dict[str, Theme], summary, now):
        self.source, self.themes, self.summary, self.now = source, themes, summary, now

    def run(self) -> None:
        source, summary = self.source, self.summary
        course = db.session.execute(
            select(Course).where(Course.slug == source.slug)
        ).scalar_one_or_none()
        if course is None:
            course = Course(slug=source.slug, created_at=self.now)
            db.session.add(course)
            summary.added.append(f"course {source.slug}")
            self._settings(course)
            db.session.flush()
        elif course.source_hash != source.doc.hash:
            if self._settings(course):
                summary.changed.append(f"course {source.slug}")
            else:
                summary.unchanged += 1
        else:
            summary.unchanged += 1
        self.course = course
        self._course_texts(course)
        self._modules(course)
        self._media(course)

    def _settings(self, course: Course) -> bool:
        values = course_settings(self.source.doc.meta, self.themes[self.source.doc.meta["theme"]])
        changed = _assign(course, values)
        course.source_hash = self.source.doc.hash
        if changed:
            course.updated_at = self.now
        return changed

    def _course_texts(self, course: Course) -> None:
        docs = {self.source.language: self.source.doc, **self.source.translations}
        texts = {t.language: t for t in course.texts}
        for language, doc in docs.items():
            text = texts.get(language)
            label = f"course {course.slug} [{language}]"
            if text is not None and text.source_hash == doc.hash:
                self.summary.unchanged += 1
                continue
            if text is None:
                text = CourseText(course=course, language=language, created_at=self.now)
                db.session.add(text)
                self.summary.added.append(label)
            values = {"title": doc.meta["title"].strip(), "summary": doc.meta["summary"].strip(),
                      "audience": as_list(doc.meta.get("audience")), "intro_markdown": doc.body}
            if _assign(text, values):
                text.intro_html = editing.render_text(course.slug, doc.body).html
                text.updated_at = self.now
                if text.id is not None:
                    self.summary.changed.append(label)
            elif text.id is not None:
                self.summary.unchanged += 1
            text.source_hash = doc.hash
        for language, text in texts.items():
            if language not in docs and text.source_hash is not None:
                course.texts.remove(text)
                self.summary.removed.append(f"course {course.slug} [{language}] (file removed)")

    def _modules(self, course: Course) -> None:
        existing = {m.slug: m for m in course.modules}
        for source in self.source.modules:
            label = f"module {course.slug}/{source.slug}"
            module = existing.get(source.slug)
            if module is None:
                module = Module(course=course, slug=source.slug, created_at=self.now)
                db.session.add(module)
                self.summary.added.append(label)
            if module.source_hash != source.hash:
                values = {"position": source.position, "minutes": source.doc.meta["minutes"],
                          "published": source.doc.meta.get("published", True)}
                if _assign(module, values):
                    module.updated_at = self.now
                    if module.id is not None:
                        self.summary.changed.append(label)
                elif module.id is not None:
                    self.summary.unchanged += 1
                module.source_hash = source.hash
            else:
                self.summary.unchanged += 1
            db.session.flush()
            docs = {course.language: source.doc, **source.translations}
            self._module_texts(module, docs, label)
        files = {s.slug for s in self.source.modules}
        for slug, module in existing.items():
            if slug not in files and module.source_hash is not None:
                module.published, module.source_hash = False, None
                module.updated_at = self.now
                self.summary.removed.append(
                    f"module {course.slug}/{slug} (unpublished: file removed)")

    def _module_texts(self, module: Module, docs: dict, label: str) -> None:
        texts = {t.language: t for t in module.texts}
        for language, doc in docs.items():
            text = texts.get(language)
            if text is not None and text.source_hash == doc.hash:
                self.summary.unchanged += 1
                continue
            created = text is None
            if created:
                text = ModuleText(module=module, language=language, created_at=self.now)
                db.session.add(text)
                self.summary.added.append(f"{label} [{language}]")
            if editing.set_module_text(text, doc.meta["title"].strip(), doc.body, author=None,
                                       note="Content sync", now=self.now):
                if not created:
                    self.summary.changed.append(f"{label} [{language}]")
            else:
                self.summary.unchanged += 1
            text.source_hash = doc.hash
        for language, text in texts.items():
            if language not in docs and text.source_hash is not None:
                module.texts.remove(text)
                self.summary.removed.append(f"{label} [{language}] (file removed)")

    def _media(self, course: Course) -> None:
        existing = {
            m.filename: m for m in db.session.execute(
                select(CourseMedia).where(CourseMedia.course_id == course.id)).scalars()
        }
        for source in self.source.media:
            label = f"media {course.slug}/{source.filename}"
            media = existing.get(source.filename)
            if media is not None and media.sha256 == editing.sha256(source.data):
                self.summary.unchanged += 1
                continue
            (self.summary.changed if media else self.summary.added).append(label)
            editing.store_media(course, source.filename, source.content_type, source.data,
                                user=None, now=self.now)
