"""The page cache: visitors may get a page rendered moments ago; nobody else does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from elearn import pagecache
from elearn.courses import editing
from tests.courses.test_pages import get_course, html, titles

REPORTING = "National reporting under Article 15"


@pytest.fixture
def cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 15)
    kept = app.extensions[pagecache.EXTENSION]
    kept.clear()
    yield kept
    kept.clear()


def _later(monkeypatch, seconds: float) -> None:
    import time

    now = time.monotonic() + seconds
    monkeypatch.setattr(pagecache, "time", SimpleNamespace(monotonic=lambda: now))


def test_visitors_get_the_catalogue_as_it_was_a_few_seconds_ago(
        client, synced, db, cache, login, make_user, monkeypatch):
    assert REPORTING in titles(html(client.get("/courses/")))
    editing.set_course_published(get_course(db, "article-15"), False)
    db.session.commit()
    # Kept for visitors: the same address, language and time zone...
    assert REPORTING in titles(html(client.get("/courses/")))
    # ...but another language or another address is a page of its own, rendered now.
    assert len(titles(html(client.get("/courses/", headers={"Accept-Language": "fr"})))) == 1
    assert REPORTING not in titles(html(client.get("/courses/?page=1")))
    # After PAGE_CACHE_SECONDS the visitor's page is rendered again.
    _later(monkeypatch, 16)
    assert REPORTING not in titles(html(client.get("/courses/")))


def test_signed_in_people_always_get_a_fresh_page(client, synced, db, cache, login, make_user):
    assert REPORTING in titles(html(client.get("/courses/")))
    editing.set_course_published(get_course(db, "article-15"), False)
    db.session.commit()
    login(make_user())
    assert REPORTING not in titles(html(client.get("/courses/")))
    assert "My learning" in html(client.get("/courses/"))  # their own navigation


def test_a_kept_module_page_still_answers_conditional_requests(client, synced, cache):
    first = client.get("/courses/customs-trade/modules/hs-codes")
    etag = first.headers["ETag"]
    again = client.get("/courses/customs-trade/modules/hs-codes",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/courses/customs-trade/modules/hs-codes").get_data() == first.get_data()


def test_a_visitor_who_chose_a_language_gets_it_and_stays_a_visitor(
        app, synced, db, cache):
    english = "Search titles and summaries"
    assert english in html(app.test_client().get("/courses/"))
    chooser = app.test_client()
    response = chooser.post("/language", data={"lang": "fr", "next": "/courses/"})
    # The choice is a cookie, not a session: the chooser is still a visitor.
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert chooser.get_cookie(app.config["SESSION_COOKIE_NAME"]) is None
    french = html(chooser.get("/courses/"))
    assert english not in french and '<html lang="fr"' in french
    assert english in html(app.test_client().get("/courses/"))
    # Kept for them, by language: a French visitor a moment later gets the kept page
    # (the course unpublished since shows only after PAGE_CACHE_SECONDS), as does one
    # whose browser asks for French; English visitors have their own.
    editing.set_course_published(get_course(db, "article-15"), False)
    db.session.commit()
    other = app.test_client()
    other.set_cookie("lang", "fr")
    assert html(other.get("/courses/")) == french
    assert html(app.test_client().get(
        "/courses/", headers={"Accept-Language": "fr"})) == french
    # A cookie naming no language of ours is ignored, as the app ignores it.
    odd = app.test_client()
    odd.set_cookie("lang", "xx")
    assert english in html(odd.get("/courses/"))


def _kept_catalogue(app, db) -> None:
    """Keep the catalogue for visitors, then unpublish a course: a client that still sees
    it was answered from the kept page."""
    assert REPORTING in titles(html(app.test_client().get("/courses/")))
    editing.set_course_published(get_course(db, "article-15"), False)
    db.session.commit()


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production


def test_a_visitor_who_opened_the_sign_in_page_still_gets_the_kept_pages(
        app, synced, db, cache, csrf_on):
    reader = app.test_client()
    reader.get("/login")  # the form's CSRF secret is now in a session of theirs
    assert reader.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    _kept_catalogue(app, db)
    assert REPORTING in titles(html(reader.get("/courses/")))
    # A session cookie the app would not open (forged, or signed with another key) is no
    # visitor's: that request runs the app, which renders the page anew.
    forger = app.test_client()
    forger.set_cookie(app.config["SESSION_COOKIE_NAME"], "eyJjc3JmX3Rva2VuIjoiMSJ9.x.y")
    assert REPORTING not in titles(html(forger.get("/courses/")))


def test_signing_out_brings_back_the_visitors_pages(client, app, synced, db, cache,
                                                    login, make_user, monkeypatch):
    login(make_user())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # signing out as in production
    form = html(client.get("/logout"))
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "You are signed out." in html(client.get("/"))  # their own page: not kept
    assert "You are signed out." not in html(app.test_client().get("/"))
    _kept_catalogue(app, db)
    assert REPORTING in titles(html(client.get("/courses/")))


def test_a_page_with_the_sessions_csrf_token_is_never_kept(app, synced, cache, csrf_on,
                                                           monkeypatch):
    from flask import render_template_string

    monkeypatch.setitem(app.view_functions, "main.index", pagecache.visitor_page(
        lambda: render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')))
    first, second = app.test_client(), app.test_client()
    for reader in (first, second):
        reader.get("/login")
    mine, theirs = html(first.get("/")), html(second.get("/"))
    assert mine != theirs and len(cache) == 0
    assert html(first.get("/")) != theirs


# -- signed-in readers: the rendering is shared, the state never stale ---------------------

HS_CODES = "/courses/customs-trade/modules/hs-codes"


@pytest.fixture
def renders(monkeypatch):
    """How many times the module page was rendered (not served from the cache)."""
    from elearn.courses import views

    count = {"n": 0}
    real = views._render_module_page

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "_render_module_page", counting)
    return count


def login_client(app, user):
    """A browser of its own, signed in, past the page that shows "welcome back"."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": user.email,
                                            "password": "correct horse battery"})
    assert response.status_code == 302
    browser.get("/")
    return browser


def _csrf(page: str) -> set[str]:
    import re

    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page))


def test_readers_in_the_same_state_share_one_rendering_with_their_own_csrf_token(
        app, synced, cache, make_user, renders):
    first, second = (login_client(app, make_user()) for _ in range(2))
    page_one, page_two = html(first.get(HS_CODES)), html(second.get(HS_CODES))
    assert renders["n"] == 1
    assert "Mark complete" in page_one and "Mark complete" in page_two
    assert "\x00" not in page_one + page_two
    assert len(_csrf(page_one)) == 1 and len(_csrf(page_two)) == 1
    assert _csrf(page_one) != _csrf(page_two)  # each session's own token
    assert page_one.replace(_csrf(page_one).pop(), "") == page_two.replace(
        _csrf(page_two).pop(), "")


def test_a_reader_sees_an_edit_a_completion_and_their_role_at_once(
        app, synced, db, cache, make_user, renders):
    from elearn.courses import editing
    reader = login_client(app, make_user())
    assert "Mark complete" in html(reader.get(HS_CODES))
    course = get_course(db)
    module = next(m for m in course.modules if m.slug == "hs-codes")
    editing.save_module(module, "en", title="Tariff classification, revised",
                        body="# Tariff classification, revised\n\nNew text.", user=None)
    db.session.commit()
    page = html(reader.get(HS_CODES))
    assert "Tariff classification, revised" in page and "New text." in page
    # Their own progress shows as soon as it changes.
    assert reader.post(HS_CODES + "/complete").status_code == 302
    reader.get("/")  # the flashed confirmation is shown (and consumed) elsewhere
    page = html(reader.get(HS_CODES))
    assert "You have completed this module." in page
    assert "Edit this module" not in page
    trainer = login_client(app, make_user(role="trainer"))
    assert "Edit this module" in html(trainer.get(HS_CODES))
    assert renders["n"] == 4  # first read, after the edit, after completing, the trainer
    html(reader.get(HS_CODES))
    assert renders["n"] == 4


def test_a_page_with_a_flashed_message_is_neither_kept_nor_served_from_the_cache(
        app, synced, cache, make_user, renders):
    reader = login_client(app, make_user())
    html(reader.get(HS_CODES))
    reader.post(HS_CODES + "/complete")
    page = html(reader.get(HS_CODES))  # shows "Module completed" (or similar) once
    assert 'class="flash' in page
    assert renders["n"] == 2
    again = html(reader.get(HS_CODES))
    assert 'class="flash' not in again
    assert renders["n"] == 3


def test_reader_state_is_the_readers_own_progress_in_this_course(app, synced, db, make_user):
    from elearn.courses import services

    reader, other = make_user(), make_user()
    course, elsewhere = get_course(db), get_course(db, "article-15")
    first, second = course.modules[0], course.modules[1]
    with app.test_request_context():
        before = services.reader_state(reader, course.slug, second.slug)
        assert before.module_id == second.id
        assert before.done == frozenset() and before.enrolment is None
        services.complete_module(reader, first)
        services.complete_module(other, second)  # someone else's progress
        services.complete_module(reader, elsewhere.modules[0])  # another course's
        db.session.commit()
        after = services.reader_state(reader, course.slug, second.slug)
        assert after.done == frozenset({first.id})
        enrolment = services.get_enrolment(reader, course)
        assert after.enrolment == (enrolment.id, first.id)
        assert after.content == before.content  # progress is not content
        assert services.reader_state(reader, course.slug, "no-such-module") is None
        assert services.reader_state(reader, "no-such-course", second.slug) is None


def test_the_token_on_a_kept_page_is_accepted_and_stays_the_sessions_own(
        app, synced, cache, make_user, renders, monkeypatch):
    """The token a kept page is filled with (signed once per session secret) must pass
    Flask-WTF's check on the reader's next form, and never be another session's."""
    first, second = (login_client(app, make_user()) for _ in range(2))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    one = _csrf(html(first.get(HS_CODES)))
    assert _csrf(html(first.get(HS_CODES))) == one  # the same session, the same token
    two = _csrf(html(second.get(HS_CODES)))
    assert renders["n"] == 1 and one != two
    # Another session's token is refused; the reader's own, from the kept page, passes.
    assert first.post(HS_CODES + "/complete", data={"csrf_token": two.pop()}).status_code == 400
    done = first.post(HS_CODES + "/complete", data={"csrf_token": one.pop()})
    assert done.status_code == 302


def test_the_module_page_runs_without_a_transaction_on_postgresql(app, synced, db, cache,
                                                                  make_user):
    """No BEGIN, no ROLLBACK: each statement commits on its own, the Resume point too."""
    from sqlalchemy import event

    from elearn.courses import services

    user = make_user()
    reader = login_client(app, user)
    course = get_course(db)
    services.enrol(user, course)
    db.session.commit()
    other = next(m for m in course.modules if m.slug != "hs-codes" and m.published)
    modes = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        modes.append((statement.split()[0], conn.connection.dbapi_connection.autocommit
                      if app.config["DB_BACKEND"] == "postgresql" else None))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        html(reader.get(HS_CODES))
        html(reader.get(f"/courses/{course.slug}/modules/{other.slug}"))
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    # The Resume point, written at each visit: to this module, then to the other.
    assert [verb for verb, _mode in modes].count("UPDATE") == 2
    if app.config["DB_BACKEND"] == "postgresql":
        assert {autocommit for _verb, autocommit in modes} == {True}
    db.session.expire_all()
    assert services.get_enrolment(user, course).last_module_id == other.id


def test_a_read_that_changes_nothing_commits_nothing(app, synced, db, cache, make_user):
    """Reading the module the reader is already on writes no row; moving on does."""
    from sqlalchemy import event

    from elearn.courses import services

    user = make_user()
    reader = login_client(app, user)
    course = get_course(db)
    services.enrol(user, course)
    db.session.commit()
    html(reader.get(HS_CODES))  # now the module "Resume" leads to
    commits = []

    def on_commit(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", on_commit)
    try:
        html(reader.get(HS_CODES))
        assert commits == []
        other = next(m for m in course.modules if m.slug != "hs-codes" and m.published)
        html(reader.get(f"/courses/{course.slug}/modules/{other.slug}"))
        assert len(commits) == 1
    finally:
        event.remove(db.engine, "commit", on_commit)
    db.session.expire_all()
    assert services.get_enrolment(user, course).last_module_id == other.id
