"""A course downloaded as one HTML file to read offline, and the page its "mark complete"
links lead to when the learner is back online."""

from __future__ import annotations

import base64
import io
import re
from collections import Counter

from PIL import Image
from sqlalchemy import select

from elearn.courses import editing
from elearn.courses.models import Course, CourseMedia
from elearn.courses.services import completed_module_ids


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (29, 107, 47)).save(out, "PNG")
    return out.getvalue()


def customs(db) -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == "customs-trade")).scalar_one()


def with_an_image(db) -> Course:
    """The customs course with a wide map in its second module, its third unpublished."""
    course = customs(db)
    editing.upload_media(course, "route-map.png", png(1600, 800), None)
    hs_codes = next(m for m in course.modules if m.slug == "hs-codes")
    editing.save_module(hs_codes, "en", title="HS codes", user=None, body=(
        "# HS codes\n\n## Codes\n\nChapter 38 covers pesticides.\n\n"
        "![Routes of illegal shipments](media/route-map.png)\n\n"
        "Back to [the start](01-why.md), or read [the course](course.md) and "
        "[another course](../article-15/course.md).\n"))
    editing.set_module_published(next(m for m in course.modules if m.slug == "detecting"),
                                 False)
    db.session.commit()
    return course


def download(client, query: str = "") -> tuple[object, str]:
    response = client.get(f"/courses/customs-trade/offline{query}")
    return response, response.get_data(as_text=True)


def test_the_file_holds_every_published_module_with_its_images_and_no_script(
        app, client, synced, db):
    with_an_image(db)
    response, html = download(client, "?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="customs-trade-en.html"'
    assert "<script" not in html.lower() and "<link" not in html
    assert html.startswith("<!doctype html>") and '<html lang="en" dir="ltr">' in html
    assert "<style>/* elearn: one small stylesheet." in html  # the stylesheet, inlined

    # A table of contents of the published modules, in order; the unpublished one left out.
    contents = re.search(r'<nav id="contents".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#(module-[\w-]+)"', contents) == ["module-why", "module-hs-codes"]
    assert "Detecting illegal trade" not in html
    for section in ("module-why", "module-hs-codes"):
        assert f'<section id="{section}" ' in html

    # The image is inside the file: the copy pages show (960 px wide), not a link.
    media = db.session.execute(select(CourseMedia)).scalar_one()
    [src] = re.findall(r'<img alt="Routes of illegal shipments" src="([^"]+)"', html)
    assert src == "data:image/png;base64," + base64.b64encode(media.resized).decode()
    assert 'width="960" height="480"' in html and 'loading="lazy"' not in html
    assert "/media/" not in html

    # Links: inside the file between its modules; to the site, absolute.
    base = app.config["BASE_URL"]
    assert 'href="#module-why"' in html  # "Back to the start" (01-why.md)
    assert 'href="#top"' in html  # course.md: the top of the file
    assert f'href="{base}/courses/article-15"' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for target in re.findall(r'href="#([^"]*)"', html):
        assert target in ids, target
    # Each module ends with the link that marks it complete, back online.
    assert re.findall(r'href="([^"]+/complete)"', html) == [
        f"{base}/courses/customs-trade/modules/why/complete",
        f"{base}/courses/customs-trade/modules/hs-codes/complete",
    ]


def test_the_file_in_french_falls_back_to_english_where_needed(client, synced, db):
    _response, html = download(client, "?lang=fr")
    assert '<html lang="fr" dir="ltr">' in html
    assert "Pourquoi contrôler" in html and "Contrôle des échanges pour les douanes" in html
    hs_codes = re.search(r'<section id="module-hs-codes".*?</section>', html, re.S).group(0)
    assert '<article class="prose" lang="en" dir="ltr">' in hs_codes
    # Without a choice, the reader's language.
    response, html = download(client, "?lang=xx")
    assert response.headers["Content-Disposition"].endswith('customs-trade-en.html"')


def test_the_course_page_offers_the_download(client, synced):
    page = client.get("/courses/customs-trade").get_data(as_text=True)
    assert 'action="/courses/customs-trade/offline"' in page
    assert "Download for offline reading" in page
    assert '<select id="offline-lang" name="lang">' in page  # English or French


def test_mark_complete_from_the_offline_file(client, synced, db, make_user, login):
    url = "/courses/customs-trade/modules/why/complete"
    assert "/login" in client.get(url).headers["Location"]  # sign in first, then back here
    learner = make_user()
    login(learner)
    page = client.get(url).get_data(as_text=True)
    assert f'<form method="post" action="{url}">' in page  # a link alone changes nothing
    assert completed_module_ids(learner, customs(db)) == set()
    response = client.post(url, follow_redirects=True)
    assert "Module complete." in response.get_data(as_text=True)
    course = customs(db)
    assert completed_module_ids(learner, course) == {course.modules[0].id}
    assert "You have completed this module." in client.get(url).get_data(as_text=True)
