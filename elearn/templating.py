"""What every template may use: the locale, its direction, dates in the viewer's zone."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_datetime, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from elearn.i18n import LANGUAGE_NAMES, text_direction


def _page_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def lang_attrs(code: str | None) -> Markup:
    """`` lang="en" dir="ltr"`` for text written in another language than the page's
    (a course not yet translated, a webinar's title, the themes' names), so screen readers
    speak it in its own language and English stays left-to-right on an Arabic page.
    Nothing when the text is in the page's language."""
    if not code or code == _page_language():
        return Markup("")
    return Markup(' lang="%s" dir="%s"') % (code, text_direction(code))


def hidden_fields(form) -> Markup:
    """A form's hidden fields (its CSRF token) without an id, where ``hidden_tag()`` would
    write id="csrf_token" once per form: a page with several forms must not repeat ids."""
    return Markup("").join(
        field(id=False) for field in form if field.type in ("HiddenField", "CSRFTokenField"))


def _context():
    language = _page_language()
    return {
        "current_language": language,
        "text_direction": text_direction(language),
        "language_names": LANGUAGE_NAMES,
        "viewer_timezone": str(get_timezone()),
    }


def datetime_filter(value, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


ROLE_LABELS = {
    "learner": _l("learner"),
    "trainer": _l("trainer"),
    "admin": _l("admin"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def register(app: Flask) -> None:
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["lang_attrs"] = lang_attrs
    app.jinja_env.globals["hidden_fields"] = hidden_fields
    app.jinja_env.globals["text_dir"] = text_direction
    app.context_processor(_context)
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["request_path"] = lambda: request.full_path.rstrip("?")
