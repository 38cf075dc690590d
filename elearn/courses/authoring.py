"""Trainers' pages under /author: courses, texts per language, modules, revisions, media,
export. Every page and form here needs the trainer role (403 for learners).

"Preview" is a submit button: the form comes back with the rendered Markdown below it
and nothing is saved. "Save" keeps a revision of the module text.
"""

from __future__ import annotations

import difflib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from elearn.accounts.models import Role
from elearn.courses import editing
from elearn.courses.export import course_zip
from elearn.courses.forms import (
    ActionForm,
    CourseSettingsForm,
    CourseTextForm,
    MediaForm,
    ModuleForm,
    NewCourseForm,
    NewModuleForm,
    TranslationForm,
)
from elearn.courses.media import safe_filename
from elearn.courses.models import Course, CourseMedia, Module, ModuleRevision, ModuleText, Theme
from elearn.extensions import db
from elearn.i18n import LANGUAGE_NAMES
from elearn.permissions import require_role
from elearn.quizzes import banks
from elearn.webinars.services import course_webinars

bp = Blueprint("authoring", __name__, url_prefix="/author")


@bp.before_request
@require_role(Role.TRAINER)
def trainers_only():
    """Every authoring page and form: visitors go to the login page, learners get 403."""
    return None


# --------------------------------------------------------------------------- helpers


def _course(slug: str) -> Course:
    return db.session.execute(
        select(Course).where(Course.slug == slug)
    ).scalar_one_or_none() or abort(404)


def _module(course: Course, slug: str) -> Module:
    return next((m for m in course.modules if m.slug == slug), None) or abort(404)


def _language(code: str) -> str:
    return code if code in LANGUAGE_NAMES else abort(404)


def _theme_choices() -> list[tuple[str, str]]:
    """(slug, title in the trainer's language) for every theme, in order."""
    themes = db.session.execute(select(Theme).order_by(Theme.position)).scalars()
    return [(t.slug, t.localized(get_locale()).title) for t in themes]


def _bank_choices(current: str | None = None) -> list[tuple[str, str]]:
    """Every question bank in the database: synced from quizzes/*.gift or made in the
    browser. A course naming a bank that is gone keeps it as a choice."""
    choices = [(bank.slug, f"{bank.title} ({bank.slug})") for bank in banks.list_banks()]
    if current and current not in {slug for slug, _label in choices}:
        choices.append((current, current))
    return [("", _("No closing quiz"))] + choices


def _theme(slug: str) -> Theme:
    return db.session.execute(select(Theme).where(Theme.slug == slug)).scalar_one()


def _refused(form, exc: editing.AuthoringError) -> None:
    """Show a refused change on the form (and undo whatever the service had begun)."""
    db.session.rollback()
    placed = False
    for name, messages in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        flash(exc.message, "error")


def _preview(course: Course, markdown: str):
    return {"html": editing.render_text(course.slug, editing.normalise_markdown(markdown)).html,
            "problems": editing.broken_links(course, editing.normalise_markdown(markdown))}


# --------------------------------------------------------------------------- courses


@bp.route("/")
def index():
    courses = db.session.execute(select(Course).order_by(Course.slug)).scalars().all()
    return render_template("authoring/index.html", courses=courses)


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    form = NewCourseForm()
    form.theme.choices = _theme_choices()
    form.quiz_bank.choices = _bank_choices()
    form.language.choices = list(LANGUAGE_NAMES.items())
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview_stub(form)
        else:
            try:
                course = editing.create_course(
                    slug=form.slug.data, theme=_theme(form.theme.data),
                    language=form.language.data, title=form.title.data,
                    summary=form.summary.data, audience=form.audience_list(),
                    intro=form.intro.data, user=current_user, **form.settings())
            except editing.AuthoringError as exc:
                _refused(form, exc)
            else:
                db.session.commit()
                flash(_("Course created. Add its modules, then publish it."), "success")
                return redirect(url_for(".course", slug=course.slug))
    return render_template("authoring/new_course.html", form=form, preview=preview)


def _preview_stub(form) -> dict:
    """Preview for a course that does not exist yet: links to its modules cannot resolve."""
    markdown = editing.normalise_markdown(form.intro.data)
    return {"html": editing.render_text(form.slug.data, markdown).html, "problems": []}


@bp.route("/courses/<slug>")
def course(slug: str):
    course = _course(slug)
    translation = TranslationForm()
    translation.language.choices = [
        (code, name) for code, name in LANGUAGE_NAMES.items() if code not in course.languages]
    media = db.session.execute(
        select(CourseMedia).where(CourseMedia.course_id == course.id)
        .order_by(CourseMedia.filename)
    ).scalars().all()
    media_form = MediaForm()
    media_form.file.description = _(
        "PNG, JPEG, GIF, WebP or PDF, at most %(kb)s KB.",
        kb=current_app.config["COURSE_MEDIA_MAX_BYTES"] // 1024)
    return render_template("authoring/course.html", course=course, translation=translation,
                           media=media, media_form=media_form, action=ActionForm(),
                           webinars=course_webinars(course.slug))


@bp.route("/courses/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    course = _course(slug)
    form = CourseSettingsForm(obj=course, theme=course.theme.slug)
    form.theme.choices = _theme_choices()
    form.quiz_bank.choices = _bank_choices(course.quiz_bank)
    if form.validate_on_submit():
        try:
            editing.update_course_settings(course, theme=_theme(form.theme.data),
                                           **form.settings())
        except editing.AuthoringError as exc:
            _refused(form, exc)
        else:
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for(".course", slug=slug))
    return render_template("authoring/settings.html", course=course, form=form)


@bp.route("/courses/<slug>/text/<lang>", methods=["GET", "POST"])
def course_text(slug: str, lang: str):
    course, lang = _course(slug), _language(lang)
    text = next((t for t in course.texts if t.language == lang), None)
    form = CourseTextForm()
    if request.method == "GET" and text is not None:
        form.title.data, form.summary.data = text.title, text.summary
        form.audience.data = "\n".join(text.audience)
        form.intro.data = text.intro_markdown
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(course, form.intro.data)
        else:
            try:
                editing.save_course_text(course, lang, title=form.title.data,
                                         summary=form.summary.data,
                                         audience=form.audience_list(), intro=form.intro.data)
            except editing.AuthoringError as exc:
                _refused(form, exc)
            else:
                db.session.commit()
                flash(_("Course text saved."), "success")
                return redirect(url_for(".course", slug=slug))
    return render_template("authoring/course_text.html", course=course, lang=lang, form=form,
                           text=text, preview=preview)


@bp.route("/courses/<slug>/translation", methods=["POST"])
def add_translation(slug: str):
    course = _course(slug)
    form = TranslationForm()
    form.language.choices = [(c, n) for c, n in LANGUAGE_NAMES.items()
                             if c not in course.languages]
    if not form.validate_on_submit():
        flash(_("Choose a language the course does not have yet."), "error")
        return redirect(url_for(".course", slug=slug))
    return redirect(url_for(".course_text", slug=slug, lang=form.language.data))


@bp.route("/courses/<slug>/publish", methods=["POST"])
def publish_course(slug: str):
    course = _course(slug)
    publish = request.form.get("published") == "1"
    try:
        editing.set_course_published(course, publish)
    except editing.AuthoringError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The course is published.") if publish else _("The course is unpublished."),
              "success")
    return redirect(url_for(".course", slug=slug))


@bp.route("/courses/<slug>/export.zip")
def export(slug: str):
    course = _course(slug)
    response = current_app.response_class(course_zip(course), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{course.slug}.zip"'
    response.cache_control.no_store = True
    return response


# --------------------------------------------------------------------------- modules


@bp.route("/courses/<slug>/modules/new", methods=["GET", "POST"])
def new_module(slug: str):
    course = _course(slug)
    form = NewModuleForm()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(course, form.body.data)
        else:
            try:
                module = editing.create_module(
                    course, slug=form.slug.data, title=form.title.data,
                    minutes=form.minutes.data or 0, body=form.body.data, user=current_user)
            except editing.AuthoringError as exc:
                _refused(form, exc)
            else:
                db.session.commit()
                flash(_("Module created."), "success")
                return redirect(url_for(".module", slug=slug, module=module.slug,
                                        lang=course.language))
    return render_template("authoring/module.html", course=course, module=None,
                           lang=course.language, form=form, preview=preview, text=None)


@bp.route("/courses/<slug>/modules/<module>/<lang>", methods=["GET", "POST"])
def module(slug: str, module: str, lang: str):
    course = _course(slug)
    module, lang = _module(course, module), _language(lang)
    text = next((t for t in module.texts if t.language == lang), None)
    form = ModuleForm()
    if request.method == "GET":
        form.minutes.data = module.minutes
        if text is not None:
            form.title.data, form.body.data = text.title, text.body_markdown
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(course, form.body.data)
        else:
            minutes = form.minutes.data if lang == course.language else None
            try:
                changed = editing.save_module(module, lang, title=form.title.data,
                                              body=form.body.data, user=current_user,
                                              minutes=minutes)
            except editing.AuthoringError as exc:
                _refused(form, exc)
            else:
                db.session.commit()
                flash(_("Module saved.") if changed else _("Nothing had changed."), "success")
                return redirect(url_for(".module", slug=slug, module=module.slug, lang=lang))
    return render_template("authoring/module.html", course=course, module=module, lang=lang,
                           form=form, preview=preview, text=text)


@bp.route("/courses/<slug>/modules/<module>/move", methods=["POST"])
def move_module(slug: str, module: str):
    course = _course(slug)
    module = _module(course, module)
    direction = request.form.get("direction")
    if direction in ("up", "down") and editing.move_module(module, direction):
        db.session.commit()
    return redirect(url_for(".course", slug=slug) + "#modules")


@bp.route("/courses/<slug>/modules/<module>/publish", methods=["POST"])
def publish_module(slug: str, module: str):
    course = _course(slug)
    module = _module(course, module)
    editing.set_module_published(module, request.form.get("published") == "1")
    db.session.commit()
    return redirect(url_for(".course", slug=slug) + "#modules")


# --------------------------------------------------------------------------- revisions


def _text(course: Course, module_slug: str, lang: str) -> ModuleText:
    module = _module(course, module_slug)
    lang = _language(lang)
    return next((t for t in module.texts if t.language == lang), None) or abort(404)


def _revision(text: ModuleText, number: int) -> ModuleRevision:
    return next((r for r in text.revisions if r.number == number), None) or abort(404)


@bp.route("/courses/<slug>/modules/<module>/<lang>/revisions")
def revisions(slug: str, module: str, lang: str):
    course = _course(slug)
    text = _text(course, module, lang)
    return render_template("authoring/revisions.html", course=course, module=text.module,
                           text=text, lang=lang)


@bp.route("/courses/<slug>/modules/<module>/<lang>/revisions/<int:number>")
def revision(slug: str, module: str, lang: str, number: int):
    course = _course(slug)
    text = _text(course, module, lang)
    revision = _revision(text, number)
    diff = "".join(difflib.unified_diff(
        text.body_markdown.splitlines(keepends=True),
        revision.body_markdown.splitlines(keepends=True),
        fromfile=_("current text"), tofile=_("revision %(number)s", number=number)))
    return render_template("authoring/revision.html", course=course, module=text.module,
                           text=text, lang=lang, revision=revision, diff=diff,
                           action=ActionForm())


@bp.route("/courses/<slug>/modules/<module>/<lang>/revisions/<int:number>/restore",
          methods=["POST"])
def restore(slug: str, module: str, lang: str, number: int):
    course = _course(slug)
    text = _text(course, module, lang)
    revision = _revision(text, number)
    if editing.restore_revision(revision, current_user):
        db.session.commit()
        flash(_("Revision %(number)s is the current text again.", number=number), "success")
    else:
        flash(_("Revision %(number)s is already the current text.", number=number), "info")
    return redirect(url_for(".module", slug=slug, module=module, lang=lang))


# --------------------------------------------------------------------------- media


@bp.route("/courses/<slug>/media", methods=["POST"])
def upload(slug: str):
    course = _course(slug)
    form = MediaForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for(".course", slug=slug) + "#media")
    upload = form.file.data
    filename = safe_filename(upload.filename or "")
    try:
        editing.upload_media(course, filename, upload.read(), current_user)
    except editing.AuthoringError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Uploaded. Use it as ![description](media/%(name)s).", name=filename),
              "success")
    return redirect(url_for(".course", slug=slug) + "#media")


@bp.route("/courses/<slug>/media/<filename>/delete", methods=["POST"])
def delete_media(slug: str, filename: str):
    course = _course(slug)
    item = db.session.execute(
        select(CourseMedia).where(CourseMedia.course_id == course.id,
                                  CourseMedia.filename == filename)
    ).scalar_one_or_none() or abort(404)
    editing.delete_media(item)
    db.session.commit()
    flash(_("%(name)s deleted.", name=filename), "success")
    return redirect(url_for(".course", slug=slug) + "#media")
