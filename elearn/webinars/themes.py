"""The programme's themes as webinars see them: the courses' Theme table is the one list.

A webinar stores its theme's slug (``Webinar.theme``, a string rather than a foreign key:
rebuilding the webinars table on SQLite would cascade to the registrations). The slug is
checked here against the Theme rows that ``flask content sync`` makes from
``courses/themes.yml``, and named by the row's title. Themes have one title, not one per
language, so webinar pages and e-mails show it as the course catalogue does.
"""

from __future__ import annotations

from flask import g, has_request_context

from elearn.courses.services import theme_exists, theme_titles


def _titles() -> dict[str, str]:
    """{slug: title}, read once per request (a page names many webinars' themes)."""
    if not has_request_context():
        return theme_titles()
    if "webinar_theme_titles" not in g:
        g.webinar_theme_titles = theme_titles()
    return g.webinar_theme_titles


def is_theme(slug: str | None) -> bool:
    """True for the slug of one of the programme's themes (a Theme row)."""
    return theme_exists(slug)


def theme_label(slug: str) -> str:
    """The theme's title; the slug itself for a theme that is not (or no longer) known."""
    return _titles().get(slug, slug)


def theme_choices() -> list[tuple[str, str]]:
    """``[(slug, title)]`` in the programme's order, for selects and feed lists."""
    return list(_titles().items())
