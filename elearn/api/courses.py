"""Themes, courses, modules, enrolment and progress: /api/v1/themes and /api/v1/courses.

Reading is open to everyone (a token lets trainers see unpublished courses); enrolling,
completing modules and reading one's progress need a token. Texts come in ``lang`` (a
query parameter; default: the token user's language, else Accept-Language), falling back
to the course's own language: ``language`` says which one was sent.

Themes keep ``title``, ``description`` and ``audiences`` in English (what clients have
always read) and add ``localized``: the same three in ``lang`` (chosen as above), each
falling back to English, with the ``language`` sent; ``languages`` lists every language
the theme is written in.
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from elearn.accounts.services import external_url
from elearn.api.auth import token_required
from elearn.courses import services
from elearn.extensions import db
from elearn.i18n import LANGUAGE_NAMES
from elearn.webinars.services import course_webinars

blp = Blueprint("courses_api", __name__, url_prefix="/api/v1",
                description="Themes, courses, modules, enrolment and progress")

_LANG = fields.Str(validate=validate.OneOf(list(LANGUAGE_NAMES)),
                   metadata={"description": "Language wanted (en, fr, es, ar, ru, zh)."})


class LangArgs(Schema):
    lang = _LANG


class CourseQueryArgs(LangArgs):
    theme = fields.Str(metadata={"description": "Theme slug."})
    q = fields.Str(validate=validate.Length(max=100),
                   metadata={"description": "Words to find in titles and summaries."})


class LocalizedThemeSchema(Schema):
    language = fields.Str(metadata={"description": "Language of these texts: the one asked "
                                                   "for, or en when there is no translation."})
    title = fields.Str()
    description = fields.Str()
    audiences = fields.List(fields.Str())


class ThemeSchema(Schema):
    slug = fields.Str()
    title = fields.Str(metadata={"description": "Title in English."})
    description = fields.Str(metadata={"description": "Description in English."})
    audiences = fields.List(fields.Str(), metadata={"description": "Audiences in English."})
    languages = fields.List(fields.Str(), metadata={
        "description": "Languages the theme is written in (en first)."})
    localized = fields.Nested(LocalizedThemeSchema, metadata={
        "description": "Title, description and audiences in the language asked for (lang, "
                       "else the token user's language, else Accept-Language), each "
                       "falling back to English."})
    courses = fields.Int(metadata={"description": "Number of published courses."})


class QuizSettingsSchema(Schema):
    bank = fields.Str(attribute="quiz_bank")
    pass_mark = fields.Int()
    attempts_allowed = fields.Int(metadata={"description": "0 means no limit."})
    time_limit_minutes = fields.Int(allow_none=True)
    questions_per_attempt = fields.Int()
    shuffle_answers = fields.Bool()
    show_feedback = fields.Bool()
    show_correct_answers = fields.Bool()


class ModuleSummarySchema(Schema):
    slug = fields.Str()
    number = fields.Int()
    title = fields.Str()
    language = fields.Str()
    minutes = fields.Int()
    published = fields.Bool()
    url = fields.Str()


class CourseSchema(Schema):
    slug = fields.Str()
    theme = fields.Str()
    title = fields.Str()
    summary = fields.Str()
    audience = fields.List(fields.Str())
    language = fields.Str(metadata={"description": "Language of the texts sent."})
    original_language = fields.Str()
    languages = fields.List(fields.Str())
    minutes = fields.Int()
    published = fields.Bool()
    url = fields.Str()


class CourseWebinarSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    language = fields.Str()
    starts_at = fields.AwareDateTime()
    url = fields.Str()


class CourseDetailSchema(CourseSchema):
    intro_html = fields.Str()
    quiz = fields.Nested(QuizSettingsSchema, allow_none=True)
    webinar_required = fields.Bool(metadata={
        "description": "Completing the course needs attendance at one of its webinars."})
    webinars = fields.List(fields.Nested(CourseWebinarSchema), metadata={
        "description": "Upcoming webinars linked to the course (GET /api/v1/webinars/{id})."})
    modules = fields.List(fields.Nested(ModuleSummarySchema))


class ModuleDetailSchema(ModuleSummarySchema):
    course = fields.Str()
    html = fields.Str(metadata={"description": "The body, rendered and sanitised."})
    toc = fields.Str()
    previous = fields.Str(allow_none=True)
    next = fields.Str(allow_none=True)
    updated_at = fields.DateTime()


class ProgressSchema(Schema):
    completed = fields.Int()
    total = fields.Int()
    percent = fields.Int()
    is_complete = fields.Bool()


class EnrolmentSchema(Schema):
    course = fields.Str()
    enrolled_at = fields.DateTime()
    progress = fields.Nested(ProgressSchema)


class CompletionSchema(Schema):
    course = fields.Str()
    module = fields.Str()
    completed_at = fields.DateTime()
    progress = fields.Nested(ProgressSchema)


class ModuleProgressSchema(Schema):
    slug = fields.Str()
    completed_at = fields.DateTime(allow_none=True)


class CourseProgressSchema(ProgressSchema):
    course = fields.Str()
    enrolled = fields.Bool()
    modules = fields.List(fields.Nested(ModuleProgressSchema))


def _language(args: dict) -> str:
    if args.get("lang"):
        return args["lang"]
    locale = get_locale()
    return locale.language if locale else "en"


def _course(course, lang: str) -> dict:
    text = course.text(lang)
    original = course.text(course.language)
    return {
        "slug": course.slug, "theme": course.theme.slug, "title": text.title,
        "summary": text.summary, "audience": text.audience or original.audience,
        "language": text.language, "original_language": course.language,
        "languages": course.languages, "minutes": course.minutes,
        "published": course.published,
        "url": external_url(url_for("courses.course", slug=course.slug)),
    }


def _module(module, number: int, lang: str) -> dict:
    text = module.text(lang)
    return {
        "slug": module.slug, "number": number, "title": text.title,
        "language": text.language, "minutes": module.minutes, "published": module.published,
        "url": external_url(url_for("courses.module", slug=module.course.slug,
                                    module=module.slug)),
    }


def _theme(theme, count: int, lang: str) -> dict:
    title, description, audiences = theme.localized(lang)
    return {
        "slug": theme.slug, "title": theme.title, "description": theme.description,
        "audiences": theme.audiences, "languages": ["en", *(theme.translations or {})],
        "localized": {"language": theme.language_for(lang), "title": title,
                      "description": description, "audiences": audiences},
        "courses": count,
    }


@blp.route("/themes")
class Themes(MethodView):
    @blp.arguments(LangArgs, location="query")
    @blp.response(200, ThemeSchema(many=True))
    def get(self, args):
        """The programme's themes, in order, with their number of published courses.

        ``localized`` holds the texts in ``lang`` (default: the token user's language, else
        Accept-Language), falling back to English; ``title``, ``description`` and
        ``audiences`` stay in English."""
        lang = _language(args)
        return [_theme(t, n, lang) for t, n in services.list_themes()]


@blp.route("/courses")
class Courses(MethodView):
    @blp.arguments(CourseQueryArgs, location="query")
    @blp.response(200, CourseSchema(many=True))
    def get(self, args):
        """Published courses, by theme and available language; ``q`` searches."""
        if args.get("theme"):
            services.get_theme(args["theme"])  # 404 for an unknown theme
        lang = _language(args)
        courses = services.search_courses(theme=args.get("theme"), language=args.get("lang"),
                                          query=args.get("q"))
        return [_course(c, lang) for c in courses]


@blp.route("/courses/<slug>")
class CourseDetail(MethodView):
    @blp.arguments(LangArgs, location="query")
    @blp.response(200, CourseDetailSchema)
    def get(self, args, slug):
        """A course with its modules and the settings of its closing quiz."""
        course = services.get_course(slug, current_user)
        lang = _language(args)
        modules = services.visible_modules(course, current_user)
        body = _course(course, lang)
        body["intro_html"] = course.text(lang).intro_body_html
        body["quiz"] = course if course.quiz_bank else None
        body["webinar_required"] = course.requires_webinar_attendance
        body["webinars"] = [
            {"id": w.id, "title": w.title, "language": w.language, "starts_at": w.starts_at,
             "url": external_url(url_for("webinars.detail", webinar_id=w.id))}
            for w in course_webinars(course.slug)]
        body["modules"] = [_module(m, i, lang) for i, m in enumerate(modules, start=1)]
        return body


@blp.route("/courses/<slug>/modules/<module>")
class ModuleDetail(MethodView):
    @blp.arguments(LangArgs, location="query")
    @blp.response(200, ModuleDetailSchema)
    def get(self, args, slug, module):
        """One module's stored HTML and table of contents, with its neighbours."""
        course = services.get_course(slug, current_user)
        module = services.get_module(course, module, current_user)
        lang = _language(args)
        modules = services.visible_modules(course, current_user)
        prev, next_ = services.neighbours(module, current_user)
        text = module.text(lang)
        body = _module(module, modules.index(module) + 1, lang)
        body.update(course=course.slug, html=text.body_html, toc=text.toc_html,
                    previous=prev.slug if prev else None, next=next_.slug if next_ else None,
                    updated_at=text.updated_at)
        return body


def _progress(progress) -> dict:
    return {"completed": progress.completed, "total": progress.total,
            "percent": progress.percent, "is_complete": progress.is_complete}


@blp.route("/courses/<slug>/enrolment")
class EnrolmentResource(MethodView):
    @token_required()
    @blp.response(200, EnrolmentSchema)
    @blp.alt_response(201, schema=EnrolmentSchema, description="Newly enrolled")
    def put(self, slug):
        """Enrol the token's user (201 the first time, 200 when already enrolled)."""
        course = services.get_course(slug, current_user)
        enrolment, created = services.enrol(current_user, course)
        db.session.commit()
        body = {"course": course.slug, "enrolled_at": enrolment.enrolled_at,
                "progress": _progress(services.course_progress(current_user, course))}
        return body, 201 if created else 200

    @token_required()
    @blp.response(204)
    def delete(self, slug):
        """Leave the course; completed modules are kept."""
        course = services.get_course(slug, current_user)
        services.leave(current_user, course)
        db.session.commit()


@blp.route("/courses/<slug>/modules/<module>/completion")
class Completion(MethodView):
    @token_required()
    @blp.response(200, CompletionSchema)
    def put(self, slug, module):
        """Mark the module complete for the token's user (enrolling them if needed)."""
        course = services.get_course(slug, current_user)
        module = services.get_module(course, module, current_user)
        progress = services.complete_module(current_user, module)
        db.session.commit()
        completed_at = services.completion_times(current_user, course).get(module.id)
        return {"course": course.slug, "module": module.slug, "completed_at": completed_at,
                "progress": _progress(progress)}


@blp.route("/courses/<slug>/progress")
class ProgressResource(MethodView):
    @token_required()
    @blp.response(200, CourseProgressSchema)
    def get(self, slug):
        """The token user's progress: published modules completed, and when."""
        course = services.get_course(slug, current_user)
        progress = services.course_progress(current_user, course)
        times = services.completion_times(current_user, course)
        body = _progress(progress)
        body.update(
            course=course.slug,
            enrolled=services.get_enrolment(current_user, course) is not None,
            modules=[{"slug": m.slug, "completed_at": times.get(m.id)}
                     for m in course.published_modules],
        )
        return body
