"""Learning: the catalogue, enrolment, module completion and progress.

The pages, the JSON API and the CLI all come here. Functions flush, never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, bindparam, func, inspect, or_, select, type_coerce, update
from sqlalchemy.orm import joinedload, selectinload

from elearn.accounts.models import Role
from elearn.courses.models import (
    Course,
    CourseText,
    Enrolment,
    Module,
    ModuleProgress,
    ModuleText,
    Theme,
)
from elearn.db import insert_once, utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.permissions import has_role
from elearn.signals import course_progress_changed, module_completed


class NotFound(DomainError):
    status = 404


@dataclass(frozen=True)
class Progress:
    """A learner's progress in a course: completed published modules out of all of them."""

    completed: int
    total: int

    @property
    def percent(self) -> int:
        return (100 * self.completed) // self.total if self.total else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.completed >= self.total


# --------------------------------------------------------------------------- catalogue


def can_author(user) -> bool:
    return has_role(user, Role.TRAINER)


def list_themes() -> list[tuple[Theme, int]]:
    """Every theme, in order, with its number of published courses."""
    count = (
        select(Course.theme_id, func.count(Course.id).label("n"))
        .where(Course.published.is_(True)).group_by(Course.theme_id).subquery()
    )
    rows = db.session.execute(
        select(Theme, func.coalesce(count.c.n, 0))
        .outerjoin(count, count.c.theme_id == Theme.id)
        .order_by(Theme.position, Theme.title)
    ).all()
    return [(theme, n) for theme, n in rows]


def theme_titles(language: str | None = None) -> dict[str, str]:
    """{slug: title} of every theme in ``language`` (English by default), in the
    programme's order: the one list of themes other features (webinars) name and
    validate theirs against."""
    # Three columns, not the rows: a webinar registration names its theme in every message.
    rows = db.session.execute(
        select(Theme.slug, Theme.title, Theme.translations).order_by(Theme.position, Theme.title)
    )
    return {slug: Theme.title_in(title, translations, language or "en")
            for slug, title, translations in rows}


def theme_exists(slug: str | None) -> bool:
    if not slug:
        return False
    return db.session.execute(select(Theme.id).where(Theme.slug == slug)).first() is not None


def get_theme(slug: str) -> Theme:
    theme = db.session.execute(select(Theme).where(Theme.slug == slug)).scalar_one_or_none()
    if theme is None:
        raise NotFound(_("There is no theme '%(slug)s'.", slug=slug))
    return theme


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: Course texts as lists and cards use them: everything but the introduction, whose
#: Markdown and HTML are most of a row (loaded on access by whoever needs them).
CARD_TEXTS = selectinload(Course.texts).load_only(
    CourseText.course_id, CourseText.language, CourseText.title, CourseText.summary,
    CourseText.audience, CourseText.updated_at,
)


def _search(theme: str | None, language: str | None, query: str | None):
    stmt = select(Course).join(Theme).where(Course.published.is_(True))
    if theme:
        stmt = stmt.where(Theme.slug == theme)
    if language:
        stmt = stmt.where(
            select(CourseText.id).where(CourseText.course_id == Course.id,
                                        CourseText.language == language).exists()
        )
    for term in (query or "").split()[:8]:
        pattern = _like(term)
        stmt = stmt.where(
            select(CourseText.id).where(
                CourseText.course_id == Course.id,
                or_(CourseText.title.ilike(pattern, escape="\\"),
                    CourseText.summary.ilike(pattern, escape="\\")),
            ).exists()
        )
    return stmt


def search_courses(*, theme: str | None = None, language: str | None = None,
                   query: str | None = None, limit: int | None = None,
                   offset: int = 0) -> list[Course]:
    """Published courses, filtered by theme slug, available language and a search term
    found in the title or summary of any of their texts; their texts loaded with them
    (without the introductions)."""
    stmt = _search(theme, language, query).options(CARD_TEXTS) \
        .order_by(Theme.position, Course.slug)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return list(db.session.execute(stmt).scalars())


def count_courses(*, theme: str | None = None, language: str | None = None,
                  query: str | None = None) -> int:
    """How many courses :func:`search_courses` finds."""
    found = _search(theme, language, query).with_only_columns(Course.id).subquery()
    return db.session.execute(select(func.count()).select_from(found)).scalar_one()


def find_course(slug: str | None) -> Course | None:
    """The course with this slug, published or not (other features link to courses by
    slug and check the link here); None for anything else."""
    if not slug:
        return None
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one_or_none()


def all_courses() -> list[Course]:
    """Every course, published or not, by slug: what a trainer may link a webinar to."""
    return list(db.session.execute(
        select(Course).options(selectinload(Course.texts)).order_by(Course.slug)
    ).scalars())


#: A course as its pages show it: theme, texts, modules and their titles, in three
#: queries. The modules' Markdown and HTML stay in the database (a module page loads its
#: one body with :func:`load_body`); without this, each module's texts were fetched one
#: module at a time, every body with them (~500 KB for the course page's titles).
OUTLINE = (
    joinedload(Course.theme),
    selectinload(Course.texts).defer(CourseText.intro_markdown),
    selectinload(Course.modules).selectinload(Module.texts).load_only(
        ModuleText.module_id, ModuleText.language, ModuleText.title, ModuleText.updated_at,
    ),
)


def get_course(slug: str, viewer=None, *, outline: bool = False) -> Course:
    """The course; unpublished ones only for trainers. ``NotFound`` otherwise.

    ``outline``: load what the course and module pages show with it (``OUTLINE``).
    """
    stmt = select(Course).where(Course.slug == slug)
    if outline:
        stmt = stmt.options(*OUTLINE)
    course = db.session.execute(stmt).scalar_one_or_none()
    if course is None or not (course.published or can_author(viewer)):
        raise NotFound(_("There is no course '%(slug)s'.", slug=slug))
    return course


def get_module(course: Course, slug: str, viewer=None) -> Module:
    module = next((m for m in course.modules if m.slug == slug), None)
    if module is None or not (module.published or can_author(viewer)):
        raise NotFound(_("The course has no module '%(slug)s'.", slug=slug))
    return module


def load_body(text: ModuleText) -> ModuleText:
    """Make sure the text's HTML and table of contents are loaded (one query if not)."""
    missing = [name for name in ("body_html", "toc_html") if name in inspect(text).unloaded]
    if missing:
        db.session.refresh(text, missing)
    return text


def visible_modules(course: Course, viewer=None) -> list[Module]:
    return list(course.modules) if can_author(viewer) else course.published_modules


def neighbours(module: Module, viewer=None) -> tuple[Module | None, Module | None]:
    """The previous and next module a reader would go to."""
    modules = visible_modules(module.course, viewer)
    if module not in modules:
        return None, None
    index = modules.index(module)
    return (modules[index - 1] if index else None,
            modules[index + 1] if index + 1 < len(modules) else None)


# --------------------------------------------------------------------------- enrolment


def get_enrolment(user, course: Course) -> Enrolment | None:
    if not (user and user.is_authenticated):
        return None
    return db.session.execute(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    ).scalar_one_or_none()


def enrol(user, course: Course) -> tuple[Enrolment, bool]:
    """Enrol ``user``; ``(enrolment, True)`` if new, the existing one otherwise.

    Idempotent even when two requests enrol the same learner at the same moment (a
    double click, two tabs): the insert skips a row that exists or is being committed,
    and both get the one enrolment.
    """
    enrolment = get_enrolment(user, course)
    if enrolment is not None:
        return enrolment, False
    if not course.published:
        raise DomainError(_("This course is not open for enrolment yet."), status=409)
    now = utcnow()
    new_id = insert_once(
        db.session, Enrolment,
        {"user_id": user.id, "course_id": course.id, "enrolled_at": now,
         "last_activity_at": now},
        ["user_id", "course_id"],
    )
    if new_id is None:
        return get_enrolment(user, course), False
    return db.session.get(Enrolment, new_id), True


def leave(user, course: Course) -> bool:
    """Leave the course; completed modules are kept, should the learner come back."""
    enrolment = get_enrolment(user, course)
    if enrolment is None:
        return False
    db.session.delete(enrolment)
    db.session.flush()
    return True


def completion_times(user, course: Course) -> dict[int, datetime]:
    """{module id: when the learner completed it} for the course's modules."""
    if not (user and user.is_authenticated):
        return {}
    return dict(db.session.execute(
        select(ModuleProgress.module_id, ModuleProgress.completed_at).join(Module)
        .where(ModuleProgress.user_id == user.id, Module.course_id == course.id)
    ).tuples().all())


def completed_module_ids(user, course: Course) -> set[int]:
    return set(completion_times(user, course))


def course_progress(user, course: Course, done: set[int] | None = None) -> Progress:
    """The share of the course's published modules the learner has completed.

    ``done``: the learner's :func:`completed_module_ids`, when the caller has them.
    """
    done = completed_module_ids(user, course) if done is None else done
    published = [m.id for m in course.published_modules]
    return Progress(completed=sum(1 for m in published if m in done), total=len(published))


@dataclass(frozen=True, slots=True)
class ReaderState:
    """What a signed-in reader's module page depends on, read in one light query.

    ``content`` changes whenever anything the page shows of the course changes (its
    published state, texts, modules, their order, titles and bodies: every change
    moves an ``updated_at`` or a count), so a page kept under it is never out of date.
    """

    module_id: int
    #: The course's and its modules' stamps, as one hashable digest.
    content: str
    #: Ids of the modules of the course the reader has completed.
    done: frozenset[int]
    #: The reader's enrolment (id, last module read), or None.
    enrolment: tuple[int, int | None] | None

    def page_key(self, role: str) -> tuple:
        """Everything that makes this reader's page differ from another's: the content,
        the role (trainers see unpublished modules and "Edit"), and their progress."""
        return (self.module_id, self.content, role, self.module_id in self.done,
                len(self.done))


def _reader_statement():
    """The one statement of :func:`reader_state`, built once (building it costs more than
    running it): a row per module of the course, with the course's and the module's
    stamps and counts, whether the reader completed the module, and their enrolment.

    One statement, not three: on PostgreSQL each is a round trip, and a signed-in module
    page is otherwise a handful of them."""
    text_stamp = (select(func.max(ModuleText.updated_at)).where(ModuleText.module_id == Module.id)
                  .correlate(Module).scalar_subquery())
    text_count = (select(func.count(ModuleText.id)).where(ModuleText.module_id == Module.id)
                  .correlate(Module).scalar_subquery())
    course_stamp = (select(func.max(CourseText.updated_at))
                    .where(CourseText.course_id == Course.id).correlate(Course)
                    .scalar_subquery())
    course_count = (select(func.count(CourseText.id)).where(CourseText.course_id == Course.id)
                    .correlate(Course).scalar_subquery())
    done = (select(ModuleProgress.id)
            .where(ModuleProgress.user_id == bindparam("user_id"),
                   ModuleProgress.module_id == Module.id)
            .correlate(Module).exists())

    def raw(stamp):
        # Compared, never shown: SQLite's text stamps need not be parsed into datetimes.
        return type_coerce(stamp, String)

    return (
        select(Course.id, Course.published, raw(Course.updated_at), raw(course_stamp),
               course_count, Module.id, Module.slug, Module.position, Module.published,
               raw(Module.updated_at), raw(text_stamp), text_count,
               done, Enrolment.id, Enrolment.last_module_id)
        .join(Module, Module.course_id == Course.id)
        .outerjoin(Enrolment, (Enrolment.course_id == Course.id)
                   & (Enrolment.user_id == bindparam("user_id")))
        .where(Course.slug == bindparam("slug")).order_by(Module.position, Module.id)
    )


_READER_STATEMENT = _reader_statement()
#: Columns of a row of :data:`_READER_STATEMENT` that are the page's content.
_CONTENT = slice(0, 12)


def reader_state(user, slug: str, module_slug: str) -> ReaderState | None:
    """The signed-in ``user``'s :class:`ReaderState` on a module page; None when there is
    no such course or module (the page then answers 404 the usual way)."""
    # On the session's connection: a Core statement needs nothing of the ORM's execution
    # layer, which costs as much again as running it.
    rows = [tuple(row) for row in db.session.connection().execute(
        _READER_STATEMENT, {"slug": slug, "user_id": user.id})]
    module_id = next((row[5] for row in rows if row[6] == module_slug), None)
    if module_id is None:
        return None
    done_ids = frozenset(row[5] for row in rows if row[12])
    enrolment = (rows[0][13], rows[0][14]) if rows[0][13] is not None else None
    digest = hashlib.blake2b(repr([row[_CONTENT] for row in rows]).encode(),
                             digest_size=16).hexdigest()
    return ReaderState(module_id, digest, done_ids, enrolment)


def record_visit(state: ReaderState) -> bool:
    """Remember the module as where an enrolled reader is, for "Resume" (one UPDATE, only
    when it is another module than last time). True when it wrote (to be committed)."""
    if state.enrolment is None or state.enrolment[1] == state.module_id:
        return False
    db.session.execute(
        update(Enrolment).where(Enrolment.id == state.enrolment[0])
        .values(last_module_id=state.module_id, last_activity_at=utcnow())
    )
    return True


def complete_module(user, module: Module) -> Progress:
    """Mark ``module`` complete for ``user`` (enrolling them if needed).

    Sends ``module_completed`` (first time only) and ``course_progress_changed``.
    """
    course = module.course
    if not module.published or not course.published:
        raise DomainError(_("This module cannot be completed: it is not published."),
                          status=409)
    enrolment, _created = enrol(user, course)
    enrolment.last_module_id, enrolment.last_activity_at = module.id, utcnow()
    db.session.flush()
    # A double click sends two requests: only the one that records the completion
    # announces it (and a second insert waits for the first instead of failing).
    new_id = insert_once(
        db.session, ModuleProgress,
        {"user_id": user.id, "module_id": module.id, "completed_at": utcnow()},
        ["user_id", "module_id"],
    )
    if new_id is None:
        return course_progress(user, course)
    progress = course_progress(user, course)
    app = current_app._get_current_object()
    module_completed.send(app, user=user, module=module, course=course)
    course_progress_changed.send(app, user=user, course=course, progress=progress)
    return progress


def uncomplete_module(user, module: Module) -> Progress:
    """Take a completion back (the learner clicked by mistake)."""
    course = module.course
    row = db.session.execute(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id,
                                     ModuleProgress.module_id == module.id)
    ).scalar_one_or_none()
    if row is None:
        return course_progress(user, course)
    db.session.delete(row)
    db.session.flush()
    progress = course_progress(user, course)
    course_progress_changed.send(current_app._get_current_object(), user=user, course=course,
                                 progress=progress)
    return progress


@dataclass(frozen=True)
class LearningItem:
    enrolment: Enrolment
    progress: Progress
    #: Where "Resume" leads: the first published module not completed, else the last one
    #: opened, else the first.
    resume: Module | None


def my_learning(user) -> list[LearningItem]:
    """The learner's enrolled (published) courses, most recently active first."""
    enrolments = db.session.execute(
        select(Enrolment).join(Course)
        .where(Enrolment.user_id == user.id, Course.published.is_(True))
        .order_by(Enrolment.last_activity_at.desc(), Enrolment.id.desc())
    ).scalars().all()
    done = set(db.session.execute(
        select(ModuleProgress.module_id).where(ModuleProgress.user_id == user.id)
    ).scalars())
    items = []
    for enrolment in enrolments:
        modules = enrolment.course.published_modules
        completed = sum(1 for m in modules if m.id in done)
        resume = next((m for m in modules if m.id not in done), None)
        if resume is None:
            last = enrolment.last_module
            resume = last if last in modules else (modules[0] if modules else None)
        items.append(LearningItem(enrolment, Progress(completed, len(modules)), resume))
    return items
