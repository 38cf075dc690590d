"""What every template may use: the locale, its direction, dates in the viewer's zone."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_datetime, get_locale, get_timezone
from flask_babel import lazy_gettext as _l

from elearn.i18n import LANGUAGE_NAMES, text_direction


def _context():
    locale = get_locale()
    language = locale.language if locale else "en"
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
    app.context_processor(_context)
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.globals["request_path"] = lambda: request.full_path.rstrip("?")
