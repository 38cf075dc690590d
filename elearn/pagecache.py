"""A short-lived, per-process cache of the pages visitors read without signing in.

Every visitor who opens the catalogue, a course, a module or the webinar list in the same
language and time zone gets the same page, and rendering it costs 5-10 ms of Python (ORM
rows and Jinja) where a popular page is asked for hundreds of times a second: the day a
webinar is announced, or a course is sent to every focal point. Such pages are kept for
PAGE_CACHE_SECONDS (15 s) in each web process, so a change (a course published, seats
taken) shows within that time, as behind any shared cache.

How it works:

* ``@visitor_page`` marks a view whose page may be kept. Only requests that carry no
  remember cookie or Authorization header, and no session cookie or one whose session
  holds nothing but a CSRF secret, are *visitors* (so no user, no flashed message); for
  them, once the view has answered 200 without writing the session or putting its CSRF
  token in the page, the decorator marks the response as one to keep.
* :class:`VisitorPages` is WSGI middleware in front of the Flask app (``create_app``
  installs it). It keeps a marked response as it leaves the app, every header included,
  if it sets no cookie; and it answers a visitor's GET from what it keeps, without
  running the app at all: the cache does the job of a reverse proxy's micro-cache.
  The key is the path and query, and the language and time zone a visitor's page is
  rendered in (the ``lang`` cookie or ``Accept-Language``, and the ``tz`` cookie,
  resolved like the app does; the decorator checks that the app did render the page in
  them). The switchers keep a visitor's choices in those cookies, not in a session, so
  choosing Arabic does not take a visitor out of the cache.
* Pages with a rate limit are not marked (the limiter would be skipped), nor is any page
  when an application-wide limit (RATELIMIT_DEFAULT / RATELIMIT_APPLICATION) is set.

``cached_render(key, render)`` keeps only the rendered HTML, for a page whose freshness
must be exact: the caller's key holds everything that can change the page (the
certificate verification page puts the certificate's status in it), so the cache saves
the rendering, never shows an outdated state, and the view still runs (rate limit, lookup).

``member_render(key, render)`` does the same for signed-in readers, whose pages differ
only by what the key holds and by the CSRF token (see there).

Each process keeps at most PAGE_CACHE_ENTRIES pages (least recently used go first).
PAGE_CACHE_SECONDS = 0 turns it all off (the test suite does, except where it tests it).
"""

from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wrappers import Request, Response

from elearn.i18n import LANGUAGE_COOKIE, TIMEZONE_COOKIE, is_timezone

EXTENSION = "elearn_page_cache"
#: The signed CSRF token of each session secret (see :func:`session_csrf_token`).
CSRF_TOKENS = "elearn_page_cache.csrf"
#: Set by @visitor_page in the WSGI environ: (seconds to keep, locale, time zone).
KEEP = "elearn.page_cache.keep"


@dataclass(frozen=True, slots=True)
class _Page:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: bool


class PageCache:
    """Thread-safe LRU with an expiry per entry."""

    def __init__(self, entries: int):
        self.entries = max(entries, 1)
        self._data: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        now = time.monotonic()
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires <= now:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value, seconds: float) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + seconds, value)
            self._data.move_to_end(key)
            while len(self._data) > self.entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def register(app: Flask) -> None:
    cache = PageCache(app.config.get("PAGE_CACHE_ENTRIES", 512))
    app.extensions[EXTENSION] = cache
    app.extensions[CSRF_TOKENS] = PageCache(app.config.get("PAGE_CACHE_ENTRIES", 512) * 8)
    app.wsgi_app = VisitorPages(app.wsgi_app, app.config, cache, _session_reader(app))


# -- who is a visitor, and in which language and zone ------------------------------------

#: Longer session cookies are not read by the middleware: one that holds nothing but a CSRF
#: secret is about 110 characters, one with a user in it well over 200 (Flask-Login's
#: session identifier alone is 128), so a signed-in reader's cookie is not decoded twice.
BLANK_SESSION_CHARS = 160


def _session_reader(app: Flask) -> Callable[[str], Iterable[str] | None]:
    """The keys of a session cookie's session, as the app would open it (signature and
    age checked); None for a cookie too long to be blank or one the app would not open."""

    @functools.cache
    def serializer():  # built at first use: the secret key is set by then
        return app.session_interface.get_signing_serializer(app)

    def keys(value: str) -> Iterable[str] | None:
        if len(value) > BLANK_SESSION_CHARS or serializer() is None:
            return None
        try:
            return serializer().loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds())).keys()
        except (BadSignature, ValueError, AttributeError):
            return None

    return keys


def blank_session(keys: Iterable[str] | None, config) -> bool:
    """A session that holds nothing of a person: at most the CSRF secret a form page
    leaves behind (a visitor who opened the sign-in page, or signed out, and went on
    reading) and Flask-Login's "not fresh" mark, which it puts in any session without a
    user. Its holder gets the visitors' pages, which carry no token."""
    return keys is not None and set(keys) <= {
        config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "_fresh"}


def _visitor_cookies(cookie_header: str, config, session_keys: Callable[[str], Iterable[str] | None]
                     ) -> tuple[bool, str | None, str | None]:
    """(a visitor: no remember cookie and no session or a blank one; the time-zone cookie;
    the language cookie). ``session_keys(cookie value)``: the session's keys."""
    if not cookie_header:
        return True, None, None
    jar = parse_cookie(cookie_header)
    if config.get("REMEMBER_COOKIE_NAME", "remember_token") in jar:
        return False, None, None
    value = jar.get(config["SESSION_COOKIE_NAME"])
    if value is not None and not blank_session(session_keys(value), config):
        return False, None, None
    return True, jar.get(TIMEZONE_COOKIE), jar.get(LANGUAGE_COOKIE)


def visitor_locale(accept_language: str | None, config, chosen: str | None) -> str:
    """The language of a visitor's pages: ``elearn.i18n.select_locale`` without a user
    (``chosen``: the language cookie)."""
    if chosen in config["LANGUAGES"]:
        return chosen
    best = parse_accept_header(accept_language or "", LanguageAccept).best_match(
        config["LANGUAGES"])
    return best or config["BABEL_DEFAULT_LOCALE"]


def visitor_timezone(tz_cookie: str | None) -> str:
    """The zone of a visitor's pages: ``elearn.i18n.select_timezone`` without a user."""
    return tz_cookie if tz_cookie and is_timezone(tz_cookie) else "UTC"


def is_visitor() -> bool:
    """The current request can only be anonymous and has no session of its own (none,
    or a blank one: see :func:`blank_session`)."""
    if request.method not in ("GET", "HEAD") or "Authorization" in request.headers:
        return False
    return _visitor_cookies(request.headers.get("Cookie", ""), current_app.config,
                            lambda _value: session.keys())[0]


def _personal() -> bool:
    """The page was made for this session alone: it wrote the session, or holds the
    session's CSRF token (which a blank session's holder gets without writing it)."""
    return session.modified or current_app.config.get("WTF_CSRF_FIELD_NAME",
                                                      "csrf_token") in g


# -- the app side ------------------------------------------------------------------------


def _seconds() -> float:
    return current_app.config.get("PAGE_CACHE_SECONDS", 0)


def _application_limits() -> bool:
    config = current_app.config
    return bool(config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"))


def visitor_page(view: Callable) -> Callable:
    """Let :class:`VisitorPages` keep this view's page for visitors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        seconds = _seconds()
        if seconds > 0 and response.status_code == 200 and is_visitor() \
                and not _personal() and not _application_limits():
            request.environ[KEEP] = (seconds, str(get_locale()), str(get_timezone()))
        return response

    return wrapper


def cached_render(key: Hashable, render: Callable[[], str]) -> str:
    """``render()``, or the HTML it gave for the same ``key``, address, language and time
    zone within PAGE_CACHE_SECONDS (visitors only; others always render)."""
    seconds = _seconds()
    if seconds <= 0 or not is_visitor():
        return render()
    cache: PageCache = current_app.extensions[EXTENSION]
    full_key = ("fragment", request.endpoint, request.full_path, str(get_locale()),
                str(get_timezone()), key)
    html = cache.get(full_key)
    if html is None:
        html = render()
        if not _personal():
            cache.put(full_key, html, seconds)
    return html


#: Where a kept member page had the session's CSRF token (filled in for each reader).
CSRF_SLOT = "\x00csrf\x00"


def member_render(key: Hashable | None, render: Callable[[], str]) -> str:
    """``render()``, or the HTML it gave for the same ``key``, address, language and time
    zone, for a signed-in reader.

    The caller's key must hold everything that can make the page differ between two
    readers or change it (the module page's :class:`~elearn.courses.services.ReaderState`:
    content stamps, role, progress), so a kept page is never out of date and the view
    still runs its queries; only the rendering is saved. The one per-session part, the
    CSRF token, is kept as a slot and filled with the reader's own. Pages that show a
    flashed message are neither kept nor served from the cache. Entries live
    MEMBER_PAGE_CACHE_SECONDS (the key, not the time, keeps them right).
    """
    seconds = current_app.config.get("MEMBER_PAGE_CACHE_SECONDS", 0)
    if key is None or seconds <= 0 or _seconds() <= 0 or session.get("_flashes"):
        return render()
    cache: PageCache = current_app.extensions[EXTENSION]
    full_key = ("member", request.endpoint, request.full_path, str(get_locale()),
                str(get_timezone()), key)
    token = session_csrf_token(seconds)
    html = cache.get(full_key)
    if html is not None:
        return html.replace(CSRF_SLOT, token)
    html = render()
    if not session.get("_flashes"):
        cache.put(full_key, html.replace(token, CSRF_SLOT), seconds)
    return html


def session_csrf_token(seconds: float) -> str:
    """``generate_csrf()``, signed once per session secret and process.

    Flask-WTF signs the session's secret anew on every request (an HMAC and a JSON dump:
    a twentieth of a cached module page). With WTF_CSRF_TIME_LIMIT None (the default
    here) a token never expires, so the one signed first is as good as a fresh one.
    With a time limit, every request signs its own as Flask-WTF does.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = session.get(field)
    if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None or not isinstance(secret, str) \
            or field in g:
        return generate_csrf()
    tokens: PageCache = current_app.extensions[CSRF_TOKENS]
    token = tokens.get(secret)
    if token is None:
        token = generate_csrf()
        tokens.put(secret, token, seconds)
    else:
        setattr(g, field, token)  # what generate_csrf() returns for the rest of the request
    return token


# -- the WSGI side -----------------------------------------------------------------------


class VisitorPages:
    """Answers visitors' GETs from kept pages; keeps the pages the app marks."""

    def __init__(self, app, config, cache: PageCache,
                 session_keys: Callable[[str], Iterable[str] | None]):
        self.app = app
        self.config = config
        self.cache = cache
        self.session_keys = session_keys

    def __call__(self, environ, start_response):
        if self.config.get("PAGE_CACHE_SECONDS", 0) <= 0 \
                or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") \
                or "HTTP_AUTHORIZATION" in environ:
            return self.app(environ, start_response)
        visitor, tz_cookie, lang_cookie = _visitor_cookies(
            environ.get("HTTP_COOKIE", ""), self.config, self.session_keys)
        if not visitor:
            return self.app(environ, start_response)
        locale = visitor_locale(environ.get("HTTP_ACCEPT_LANGUAGE"), self.config, lang_cookie)
        zone = visitor_timezone(tz_cookie)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), locale, zone)
        page = self.cache.get(key)
        if page is not None:
            return self._answer(page, environ, start_response)
        if environ["REQUEST_METHOD"] != "GET":
            return self.app(environ, start_response)
        return self._render_and_keep(key, environ, start_response)

    def _answer(self, page: _Page, environ, start_response):
        if page.etag and ("HTTP_IF_NONE_MATCH" in environ
                          or "HTTP_IF_MODIFIED_SINCE" in environ):
            response = Response(page.body, status=page.status, headers=page.headers)
            response.make_conditional(Request(environ))
            return response(environ, start_response)
        start_response(page.status, list(page.headers))
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _render_and_keep(self, key, environ, start_response):
        answered: dict = {}

        def capture(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        keep = environ.get(KEEP)
        if not keep or not answered.get("status", "").startswith("200") \
                or keep[1:] != key[2:] \
                or any(name.lower() == "set-cookie" for name, _ in answered["headers"]):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        headers = list(answered["headers"])
        etag = any(name.lower() in ("etag", "last-modified") for name, _ in headers)
        self.cache.put(key, _Page(answered["status"], headers, data, etag), keep[0])
        return [data]
