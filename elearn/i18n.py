"""Languages, time zones and countries: who the viewer is and how to speak to them."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from flask import current_app, request
from flask_login import current_user

#: The six UN languages, each named in itself (what a switcher shows).
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
    "zh": "中文",
}
RTL_LANGUAGES = frozenset({"ar"})
#: The cookies that keep a visitor's choice of language and of time zone. Cookies, not the
#: session: a visitor who only chose a language has no session, so the visitors' page
#: cache (``elearn.pagecache``) still serves them, keyed by the choice.
LANGUAGE_COOKIE = "lang"
TIMEZONE_COOKIE = "tz"
CHOICE_COOKIE_AGE = timedelta(days=365)
#: ISO 3166 codes that Babel lists but that are not countries or territories.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"})


def remember_choice(response, cookie: str, value: str) -> None:
    """Keep a visitor's choice (``LANGUAGE_COOKIE``, ``TIMEZONE_COOKIE``) for a year."""
    response.set_cookie(cookie, value, max_age=int(CHOICE_COOKIE_AGE.total_seconds()),
                        samesite="Lax", httponly=True, secure=request.is_secure)


def select_locale() -> str:
    """The signed-in user's language, then the one chosen here (a cookie), then
    Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE) if request else None
    if chosen in languages:
        return chosen
    if request:
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """The signed-in user's zone, else one the visitor picked (cookie), else UTC."""
    if current_user and current_user.is_authenticated and is_timezone(current_user.timezone):
        return current_user.timezone
    if request:
        chosen = request.cookies.get(TIMEZONE_COOKIE)
        if chosen and is_timezone(chosen):
            return chosen
    return "UTC"


def text_direction(locale: str) -> str:
    return "rtl" if str(locale).split("_")[0] in RTL_LANGUAGES else "ltr"


def is_timezone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    """Canonical IANA zone names, sorted (no legacy or POSIX aliases)."""
    prefixes = (
        "Africa/", "America/", "Antarctica/", "Asia/", "Atlantic/", "Australia/",
        "Europe/", "Indian/", "Pacific/",
    )
    names = sorted(n for n in available_timezones() if n.startswith(prefixes))
    return ("UTC", *names)


@lru_cache(maxsize=8)
def country_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """(ISO 3166 alpha-2 code, name in ``locale``), sorted by name."""
    territories = Locale.parse(locale).territories
    english = Locale.parse("en").territories
    pairs = [
        (code, territories.get(code, english[code]))
        for code in english
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def country_name(code: str | None, locale: str = "en") -> str:
    if not code:
        return ""
    return Locale.parse(locale).territories.get(code, code)
