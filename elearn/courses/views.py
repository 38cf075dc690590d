"""Learners' pages: catalogue, course, module (with "Mark complete"), media, "My learning".

Module pages are cacheable for anonymous readers (public, ETag, Last-Modified) and
``private, no-store`` for signed-in ones, whose pages show their own progress.
"""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from elearn.courses import services
from elearn.courses.editing import measure_media
from elearn.courses.media import INLINE_TYPES
from elearn.courses.models import CourseMedia
from elearn.courses.offline import filename as offline_filename
from elearn.courses.offline import offline_course
from elearn.extensions import db
from elearn.i18n import LANGUAGE_NAMES
from elearn.pagecache import member_render, visitor_page
from elearn.permissions import require_login
from elearn.readonly import autocommit
from elearn.webinars.attendance import attended_course_webinar
from elearn.webinars.services import course_webinars

bp = Blueprint("courses", __name__)

#: How long browsers and shared caches may reuse a module page without asking (seconds).
#: Anonymous pages carry no CSRF token (the language switch is exempt), so their ETag
#: depends on the content only.
MODULE_MAX_AGE = 300
#: Courses per catalogue page: 120 courses on one page weighed 67 KB; 24 keep it near 25.
CATALOGUE_PAGE_SIZE = 24


def viewer_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


@bp.app_template_global()
def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


@bp.app_template_global()
def theme_overview():
    """[(theme, number of published courses)] for the home page."""
    return services.list_themes()


@bp.route("/courses/")
@visitor_page
def catalogue():
    themes = services.list_themes()
    theme = request.args.get("theme", "")
    theme = theme if theme in {t.slug for t, _n in themes} else ""
    language = request.args.get("lang", "")
    language = language if language in LANGUAGE_NAMES else ""
    query = request.args.get("q", "").strip()[:100]
    filters = {"theme": theme or None, "language": language or None, "query": query}
    count = services.count_courses(**filters)
    pages = max((count + CATALOGUE_PAGE_SIZE - 1) // CATALOGUE_PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    courses = services.search_courses(**filters, limit=CATALOGUE_PAGE_SIZE,
                                      offset=(page - 1) * CATALOGUE_PAGE_SIZE)
    by_theme = {}
    for course in courses:
        by_theme.setdefault(course.theme_id, []).append(course)
    return render_template(
        "courses/catalogue.html", themes=themes, groups=[
            (t, by_theme[t.id]) for t, _n in themes if t.id in by_theme
        ], count=count, theme=theme, language=language, query=query,
        filtered=bool(theme or language or query), lang=viewer_language(),
        page=page, pages=pages,
    )


@bp.route("/courses/<slug>")
@visitor_page
def course(slug: str):
    course = services.get_course(slug, current_user, outline=True)
    lang = viewer_language()
    modules = services.visible_modules(course, current_user)
    done = services.completed_module_ids(current_user, course)
    attended = (course.requires_webinar_attendance and current_user.is_authenticated
                and attended_course_webinar(current_user, course.slug))
    return render_template(
        "courses/course.html", course=course, text=course.text(lang), lang=lang,
        original=course.text(course.language), modules=modules, done=done,
        progress=services.course_progress(current_user, course, done)
        if current_user.is_authenticated else None,
        enrolment=services.get_enrolment(current_user, course),
        can_author=services.can_author(current_user),
        webinars=course_webinars(course.slug), attended_webinar=attended,
    )


def _module_etag(course, module, text, prev, next_, lang) -> tuple[str, object]:
    parts = [lang, course.slug, course.updated_at, module.slug, module.published,
             module.updated_at, text.id, text.updated_at]
    stamps = [course.updated_at, module.updated_at, text.updated_at]
    for other in (prev, next_):
        if other is not None:
            other_text = other.text(lang)
            parts += [other.slug, other_text.title]
            stamps.append(other_text.updated_at)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return digest, max(stamps)


@bp.route("/courses/<slug>/modules/<module>")
@visitor_page
@autocommit(max_writes=1)  # its one write, the reader's Resume point, is one UPDATE
def module(slug: str, module: str):
    lang = viewer_language()
    if not current_user.is_authenticated:
        return _public_module_page(slug, module, lang)
    # A signed-in reader's page: private, and rendered once for every reader in the same
    # state (content, role, progress, language, zone); see elearn.pagecache.member_render.
    reader = services.reader_state(current_user, slug, module)
    key = None
    wrote = False
    if reader is not None:
        wrote = services.record_visit(reader)
        key = reader.page_key(current_user.role)
    html = member_render(key, lambda: _render_module_page(slug, module, lang, reader))
    if wrote:
        # Most reads change nothing; a COMMIT for nothing was a tenth of the page's time.
        db.session.commit()
    response = make_response(html)
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def _public_module_page(slug: str, module: str, lang: str):
    """A visitor's page: the same for everyone, so public, with an ETag."""
    course = services.get_course(slug, current_user, outline=True)
    module = services.get_module(course, module, current_user)
    text = module.text(lang)
    prev, next_ = services.neighbours(module, current_user)
    etag, last_modified = _module_etag(course, module, text, prev, next_, lang)
    response = make_response()
    response.set_etag(etag, weak=True)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = MODULE_MAX_AGE
    response.vary.add("Accept-Language")
    response.make_conditional(request)
    if response.status_code == 304:
        return response
    response.set_data(_render_module_page(slug, module.slug, lang, None, course=course))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    return response


def _render_module_page(slug: str, module_slug: str, lang: str,
                        reader: services.ReaderState | None, course=None) -> str:
    """The module page's HTML; ``reader``: the signed-in reader's state (None for visitors).

    Renders from the reader's state only, so the page matches the key it is kept under.
    """
    course = course or services.get_course(slug, current_user, outline=True)
    module = services.get_module(course, module_slug, current_user)
    text = module.text(lang)
    prev, next_ = services.neighbours(module, current_user)
    modules = services.visible_modules(course, current_user)
    done = reader.done if reader is not None else frozenset()
    return render_template(
        "courses/module.html", course=course, course_text=course.text(lang), module=module,
        text=services.load_body(text), lang=lang, prev=prev, next=next_,
        completed=module.id in done,
        progress=services.course_progress(current_user, course, done)
        if reader is not None else None,
        can_author=services.can_author(current_user),
        number=modules.index(module) + 1, count=len(modules),
    )


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@require_login
def enrol(slug: str):
    course = services.get_course(slug, current_user)
    _enrolment, created = services.enrol(current_user, course)
    db.session.commit()
    if created:
        flash(_("You are enrolled. Start with the first module when you are ready."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/leave", methods=["POST"])
@require_login
def leave(slug: str):
    course = services.get_course(slug, current_user)
    if services.leave(current_user, course):
        db.session.commit()
        flash(_("You have left the course. Your completed modules are kept if you come back."),
              "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/modules/<module>/complete", methods=["POST"])
@require_login
def complete(slug: str, module: str):
    course = services.get_course(slug, current_user)
    module = services.get_module(course, module, current_user)
    progress = services.complete_module(current_user, module)
    db.session.commit()
    if progress.is_complete:
        flash(_("Module complete. You have completed every module of this course."), "success")
    else:
        flash(_("Module complete. Course progress: %(percent)s%%.", percent=progress.percent),
              "success")
    return redirect(url_for(".module", slug=slug, module=module.slug))


@bp.get("/courses/<slug>/modules/<module>/complete")
@require_login
def confirm_complete(slug: str, module: str):
    """Where the offline file's "mark complete" links lead: a button to confirm (a link
    alone must not change anything)."""
    course = services.get_course(slug, current_user)
    module = services.get_module(course, module, current_user)
    lang = viewer_language()
    return render_template(
        "courses/confirm_complete.html", course=course, course_text=course.text(lang),
        module=module, text=module.text(lang),
        completed=module.id in services.completed_module_ids(current_user, course),
    )


@bp.route("/courses/<slug>/offline")
def offline(slug: str):
    """The course as one HTML file (modules, images, stylesheet) to read offline."""
    course = services.get_course(slug, current_user)
    language = request.args.get("lang", "")
    if language not in LANGUAGE_NAMES:
        language = viewer_language()
    response = make_response(offline_course(course, language))
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{offline_filename(course, language)}"'
    # If a browser shows it instead of saving it: its own styles and images, nothing else.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; "
        "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
    response.cache_control.private = True
    return response


@bp.route("/courses/<slug>/modules/<module>/incomplete", methods=["POST"])
@require_login
def incomplete(slug: str, module: str):
    course = services.get_course(slug, current_user)
    module = services.get_module(course, module, current_user)
    services.uncomplete_module(current_user, module)
    db.session.commit()
    flash(_("The module is no longer marked complete."), "info")
    return redirect(url_for(".module", slug=slug, module=module.slug))


@bp.route("/my-learning")
@require_login
def my_learning():
    return render_template("courses/my_learning.html", items=services.my_learning(current_user),
                           lang=viewer_language())


@bp.route("/courses/<slug>/media/<filename>")
def media(slug: str, filename: str):
    """A course's image or PDF: never sniffed, never run, PDFs downloaded.

    A wide image is served as its copy at most 960 pixels wide (``?size=original``: the
    file as uploaded)."""
    course = services.get_course(slug, current_user)
    item = db.session.execute(
        db.select(CourseMedia).where(CourseMedia.course_id == course.id,
                                     CourseMedia.filename == filename)
    ).scalar_one_or_none() or abort(404)
    if not item.measured:  # stored before images were measured: once, then kept
        measure_media(item)
        db.session.commit()
    resized = item.resized if request.args.get("size") != "original" else None
    response = make_response()
    response.set_etag(f"{item.sha256}-{item.width}" if resized else item.sha256)
    response.last_modified = item.created_at
    if course.published:
        response.cache_control.public = True
        response.cache_control.max_age = 86400
    else:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    response.make_conditional(request)
    if response.status_code == 304:
        return response
    response.set_data(resized or item.data)
    response.headers["Content-Type"] = item.content_type
    disposition = "inline" if item.content_type in INLINE_TYPES else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{item.filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
