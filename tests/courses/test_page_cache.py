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


def test_a_visitor_with_a_session_gets_their_own_page(app, synced, cache):
    english = "Search titles and summaries"
    assert english in html(app.test_client().get("/courses/"))
    chooser = app.test_client()
    chooser.post("/language", data={"lang": "fr", "next": "/courses/"})  # kept in a session
    assert english not in html(chooser.get("/courses/"))
    assert english in html(app.test_client().get("/courses/"))
