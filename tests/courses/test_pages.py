"""What learners see: home, catalogue, course and module pages, enrolment and progress."""

from __future__ import annotations

import re

from sqlalchemy import select

from elearn.courses import editing, services
from elearn.courses.models import Course
from elearn.signals import course_progress_changed, module_completed


def html(response) -> str:
    return response.get_data(as_text=True)


def titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/courses/[^"]+">([^<]+)</a></h3>', page)


def get_course(db, slug="customs-trade") -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def test_home_lists_the_themes_with_their_course_counts(client, synced):
    page = html(client.get("/"))
    assert re.search(r'<a href="/courses/\?theme=customs">Customs and trade-related issues</a>'
                     r'</h3>\s*<p class="muted">1 course</p>', page)
    assert re.search(r'theme=pcbs">Environmentally sound management of PCBs</a></h3>\s*'
                     r'<p class="muted">0 courses</p>', page)


def test_catalogue_groups_by_theme_and_filters(client, synced, db):
    page = html(client.get("/courses/"))
    assert titles(page) == ["Trade controls for customs officers",
                            "National reporting under Article 15"]
    assert "Themes without a course yet" in page and "management of PCBs" in page
    assert titles(html(client.get("/courses/?theme=reporting"))) == [
        "National reporting under Article 15"]
    assert titles(html(client.get("/courses/?lang=fr"))) == ["Trade controls for customs officers"]
    assert titles(html(client.get("/courses/?q=ILLEGAL+trade"))) == [
        "Trade controls for customs officers"]
    assert titles(html(client.get("/courses/?q=illicite"))) == [  # the French summary
        "Trade controls for customs officers"]
    assert titles(html(client.get("/courses/?q=electronic"))) == [
        "National reporting under Article 15"]
    empty = html(client.get("/courses/?q=100%25&theme=customs"))
    assert titles(empty) == [] and "0 courses found." in empty and "No course matches" in empty
    # Unknown filters are ignored rather than failing.
    assert client.get("/courses/?theme=nope&lang=xx").status_code == 200
    # Unpublished courses are not listed.
    editing.set_course_published(get_course(db, "article-15"), False)
    db.session.commit()
    assert titles(html(client.get("/courses/"))) == ["Trade controls for customs officers"]


def test_catalogue_comes_in_pages_that_keep_the_filters(client, synced, monkeypatch):
    from elearn.courses import views

    monkeypatch.setattr(views, "CATALOGUE_PAGE_SIZE", 1)
    first = html(client.get("/courses/"))
    assert titles(first) == ["Trade controls for customs officers"]
    assert 'href="/courses/?page=2">Next page</a>' in first and "Previous page" not in first
    second = html(client.get("/courses/?page=2"))
    assert titles(second) == ["National reporting under Article 15"]
    assert "Next page" not in second and 'href="/courses/?page=1">Previous page' in second
    assert titles(html(client.get("/courses/?page=99"))) == titles(second)  # the last page
    filtered = html(client.get("/courses/?q=trade"))
    assert titles(filtered) == ["Trade controls for customs officers"]
    assert "Next page" not in filtered and "1 course found." in filtered


def test_catalogue_shows_the_viewers_language(client, synced):
    page = html(client.get("/courses/", headers={"Accept-Language": "fr"}))
    assert "Contrôle des échanges pour les douanes" in titles(page)
    assert '<li class="card" lang="en" dir="ltr">' in page  # the reporting course, in English


def test_course_page(client, synced):
    page = html(client.get("/courses/customs-trade"))
    assert "<h1>Trade controls for customs officers</h1>" in page
    assert page.count("<h1") == 1  # the introduction's own heading is not repeated
    assert "Customs officers, Border police" in page and "About 1 h" in page
    assert "A final quiz; 70% to pass." in page
    assert re.findall(r'modules/(\w[\w-]*)">', page)[:3] == ["why", "hs-codes", "detecting"]
    assert "Sign in to enrol" in page
    assert client.get("/courses/nope").status_code == 404


def test_module_page_has_previous_next_and_fallback_notice(client, synced):
    page = html(client.get("/courses/customs-trade/modules/hs-codes",
                           headers={"Accept-Language": "fr"}))
    # The interface speaks French; the untranslated module says so and shows English.
    assert "Module 2 sur 3" in page
    previous = ('rel="prev" href="/courses/customs-trade/modules/why">'
                '← Précédent\u00a0: <span>Pourquoi')
    assert previous in page
    assert 'rel="next" href="/courses/customs-trade/modules/detecting"' in page
    assert "Ce module n’est pas encore disponible dans la langue demandée (Français)" in page
    assert '<article class="prose" lang="en" dir="ltr">' in page
    translated = html(client.get("/courses/customs-trade/modules/why",
                                 headers={"Accept-Language": "fr"}))
    assert "not yet available" not in translated and "Pourquoi contrôler" in translated
    assert client.get("/courses/customs-trade/modules/nope").status_code == 404
    last = html(client.get("/courses/customs-trade/modules/detecting"))
    assert 'rel="next"' not in last and "Back to the course" in last


def test_module_page_is_light(client, synced, db):
    customs = get_course(db)
    long_body = "\n\n".join(
        f"## Part {n}\n\nCustoms officers check the declaration, the permit and the goods. "
        "Where the HS code and the description disagree, they take a sample." for n in range(40))
    editing.save_module(customs.modules[1], "en", title="HS codes", body=long_body, user=None)
    db.session.commit()
    page = client.get("/courses/customs-trade/modules/hs-codes")
    css = client.get("/static/style.css")
    css_size = len(css.data)
    css.close()
    assert page.status_code == css.status_code == 200
    assert len(page.data) + css_size < 50 * 1024
    assert "<script" not in html(page)


def test_module_pages_are_cacheable_for_anonymous_readers(client, synced, make_user, login):
    first = client.get("/courses/customs-trade/modules/why")
    assert first.cache_control.public and first.cache_control.max_age > 0
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/courses/customs-trade/modules/why",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # Another language is another page.
    french = client.get("/courses/customs-trade/modules/why",
                        headers={"Accept-Language": "fr",
                                 "If-None-Match": first.headers["ETag"]})
    assert french.status_code == 200
    login(make_user())
    mine = client.get("/courses/customs-trade/modules/why")
    assert mine.cache_control.private and mine.cache_control.no_store
    assert not mine.cache_control.public


def test_enrol_complete_and_progress(client, synced, make_user, login, db):
    learner = make_user()
    login(learner)
    assert "Enrol in this course" in html(client.get("/courses/customs-trade"))
    response = client.post("/courses/customs-trade/enrol", follow_redirects=True)
    assert "You are enrolled" in html(response) and "Progress: 0%" in html(response)
    page = html(client.get("/courses/customs-trade/modules/why"))
    assert "Mark complete" in page
    response = client.post("/courses/customs-trade/modules/why/complete", follow_redirects=True)
    page = html(response)
    assert "Module complete. Course progress: 33%." in page
    assert "You have completed this module." in page and "Progress: 33%" in page
    # Completing twice counts once.
    client.post("/courses/customs-trade/modules/why/complete")
    assert services.course_progress(learner, get_course(db)).completed == 1
    # Progress is the share of *published* modules.
    editing.set_module_published(get_course(db).modules[2], False)
    db.session.commit()
    assert services.course_progress(learner, get_course(db)).percent == 50
    response = client.post("/courses/customs-trade/modules/hs-codes/complete",
                           follow_redirects=True)
    assert "You have completed every module of this course." in html(response)
    course_page = html(client.get("/courses/customs-trade"))
    assert "Progress: 100%" in course_page and course_page.count("Completed</span>") == 2
    # Take one back.
    client.post("/courses/customs-trade/modules/hs-codes/incomplete")
    assert services.course_progress(learner, get_course(db)).percent == 50


def test_unpublished_modules_cannot_be_completed_or_read(client, synced, make_user, login, db):
    editing.set_module_published(get_course(db).modules[2], False)
    db.session.commit()
    login(make_user())
    assert client.get("/courses/customs-trade/modules/detecting").status_code == 404
    assert client.post("/courses/customs-trade/modules/detecting/complete").status_code == 404


def test_leaving_keeps_completed_modules(client, synced, make_user, login, db):
    learner = make_user()
    login(learner)
    client.post("/courses/customs-trade/modules/why/complete")  # enrols too
    assert services.get_enrolment(learner, get_course(db)) is not None
    response = client.post("/courses/customs-trade/leave", follow_redirects=True)
    assert "You have left the course" in html(response)
    assert "Enrol in this course" in html(response)
    assert services.get_enrolment(learner, get_course(db)) is None
    client.post("/courses/customs-trade/enrol")
    assert services.course_progress(learner, get_course(db)).completed == 1


def test_my_learning(client, synced, make_user, login):
    assert client.get("/my-learning").status_code == 302
    login(make_user())
    assert "You are not enrolled in any course yet." in html(client.get("/my-learning"))
    client.post("/courses/article-15/enrol")
    client.post("/courses/customs-trade/modules/why/complete")
    page = html(client.get("/my-learning"))
    assert page.index("Trade controls") < page.index("National reporting")  # latest first
    assert "Progress: 33%" in page and "Progress: 0%" in page
    assert 'href="/courses/customs-trade/modules/hs-codes">Resume: HS codes' in page
    assert 'href="/courses/article-15/modules/what">Resume: What Article 15 requires' in page


def test_signals_tell_listeners_after_the_change(client, synced, make_user, login, db):
    received = []

    def on_module(sender, user, module, course):
        received.append(("module", user.email, module.slug, course.slug))

    def on_progress(sender, user, course, progress):
        received.append(("progress", course.slug, progress.completed, progress.total,
                         progress.is_complete))

    learner = make_user()
    login(learner)
    with module_completed.connected_to(on_module), course_progress_changed.connected_to(
            on_progress):
        client.post("/courses/article-15/modules/what/complete")
        client.post("/courses/article-15/modules/what/complete")  # already complete
        client.post("/courses/article-15/modules/what/incomplete")
    assert received == [
        ("module", learner.email, "what", "article-15"),
        ("progress", "article-15", 1, 1, True),
        ("progress", "article-15", 0, 1, False),
    ]


def test_a_listener_failure_takes_the_completion_back(client, synced, make_user, login, db):
    def broken(sender, **kwargs):
        raise RuntimeError("listener failed")

    learner = make_user()
    login(learner)
    with module_completed.connected_to(broken):
        response = client.post("/courses/article-15/modules/what/complete")
    assert response.status_code == 500
    assert services.course_progress(learner, get_course(db, "article-15")).completed == 0


def test_media_are_served_safely(client, synced, make_user, db):
    customs = get_course(db)
    editing.upload_media(customs, "map.png", b"\x89PNG\r\n\x1a\n" + bytes(16), None)
    editing.upload_media(customs, "guide.pdf", b"%PDF-1.4\n%test\n", None)
    db.session.commit()
    image = client.get("/courses/customs-trade/media/map.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"].startswith("inline")
    assert "sandbox" in image.headers["Content-Security-Policy"]
    pdf = client.get("/courses/customs-trade/media/guide.pdf")
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="guide.pdf"'
    cached = client.get("/courses/customs-trade/media/map.png",
                        headers={"If-None-Match": image.headers["ETag"]})
    assert cached.status_code == 304
    assert client.get("/courses/customs-trade/media/none.png").status_code == 404
