"""The programme's themes as webinars see them: the courses' Theme table is the one list.

A webinar stores its theme's slug (``Webinar.theme``, a string rather than a foreign key:
rebuilding the webinars table on SQLite would cascade to the registrations). The slug is
checked here against the Theme rows that ``flask content sync`` makes from
``courses/themes.yml``, and named by the row's title in the current language (the page's,
or the recipient's while a mail is rendered), as the course catalogue does.
"""

from __future__ import annotations

from flask import g, has_request_context
from flask_babel import get_locale

from elearn.courses.services import theme_exists, theme_titles


def _titles() -> dict[str, str]:
    """{slug: title} in the current language, read once per request and language (a page
    names many webinars' themes; one request may mail people in several languages)."""
    locale = get_locale()
    language = locale.language if locale else "en"
    if not has_request_context():
        return theme_titles(language)
    cache = g.setdefault("webinar_theme_titles", {})
    if language not in cache:
        cache[language] = theme_titles(language)
    return cache[language]


def is_theme(slug: str | None) -> bool:
    """True for the slug of one of the programme's themes (a Theme row)."""
    return theme_exists(slug)


def theme_label(slug: str) -> str:
    """The theme's title; the slug itself for a theme that is not (or no longer) known."""
    return _titles().get(slug, slug)


def theme_choices() -> list[tuple[str, str]]:
    """``[(slug, title)]`` in the programme's order, for selects and feed lists."""
    return list(_titles().items())
