"""Trainers author in the browser; learners and visitors cannot."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from elearn.courses.models import Course, CourseMedia, ModuleRevision

VALUES = {"slug": "customs-trade", "module": "why", "lang": "en", "number": 1,
          "filename": "map.png"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def html(response) -> str:
    return response.get_data(as_text=True)


def authoring_urls(app) -> list[tuple[str, str]]:
    """(method, url) of every authoring route, with real values filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring."):
            continue
        url = rule.build({k: VALUES[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def get_course(db, slug="customs-trade") -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


@pytest.fixture
def trainer(make_user, login):
    user = make_user(role="trainer", name="Tina Trainer")
    login(user)
    return user


def test_learners_cannot_reach_any_authoring_page_or_form(app, client, synced, make_user,
                                                         login, db):
    urls = authoring_urls(app)
    assert len(urls) >= 20
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    login(make_user())
    for method, url in urls:
        assert client.open(url, method=method, data={"title": "x", "body": "x"}
                           ).status_code == 403, (method, url)
    assert "Authoring" not in html(client.get("/courses/customs-trade"))
    assert get_course(db).modules[0].text("en").title == "Why trade controls matter"


def test_trainers_see_the_authoring_pages(app, client, synced, trainer, db):
    editing_url = "/author/courses/customs-trade/media"
    for method, url in authoring_urls(app):
        if method == "GET" and url != editing_url:
            assert client.get(url).status_code in (200, 404), url  # 404: no such media
    page = html(client.get("/author/"))
    assert "Trade controls for customs officers" in page and "From the library files" in page
    assert "Edit this course" in html(client.get("/courses/customs-trade"))


def test_preview_renders_without_saving(client, synced, trainer, db):
    response = client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why it matters", "minutes": 20, "preview": "Preview",
        "body": "# Why\n\nSee [HS codes](02-hs-codes.md) <script>alert(1)</script>\n"})
    page = html(response)
    assert response.status_code == 200
    assert "Preview (not saved)" in page
    assert '<a href="/courses/customs-trade/modules/hs-codes">HS codes</a>' in page
    assert "<script>alert(1)" not in page
    assert "Why it matters" in page  # the form keeps what was typed
    text = get_course(db).modules[0].text("en")
    assert text.title == "Why trade controls matter" and len(text.revisions) == 1


def test_preview_lists_links_that_lead_nowhere(client, synced, trainer):
    page = html(client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "preview": "Preview",
        "body": "Intro\n\nSee [nothing](07-nothing.md).\n"}))
    assert "line 3: broken link &#39;07-nothing.md&#39;: no module &#39;nothing&#39;" in page


def test_save_keeps_a_revision_and_restore_brings_it_back(client, synced, trainer, db):
    url = "/author/courses/customs-trade/modules/why/en"
    response = client.post(url, data={"title": "Why it matters", "minutes": 22,
                                      "body": "New text.\r\n\r\nSecond paragraph.",
                                      "save": "Save"})
    assert response.status_code == 302
    module = get_course(db).modules[0]
    text = module.text("en")
    assert (text.title, text.body_markdown, module.minutes) == (
        "Why it matters", "New text.\n\nSecond paragraph.\n", 22)
    assert "<p>Second paragraph.</p>" in text.body_html
    assert [(r.number, r.author.name if r.author else None) for r in text.revisions] == [
        (2, "Tina Trainer"), (1, None)]
    # Saving the same text again is not a new revision.
    client.post(url, data={"title": "Why it matters", "minutes": 22,
                           "body": "New text.\n\nSecond paragraph.\n", "save": "Save"})
    assert len(get_course(db).modules[0].text("en").revisions) == 2
    listing = html(client.get(url + "/revisions"))
    assert "Tina Trainer" in listing and "Content sync" in listing
    view = html(client.get(url + "/revisions/1"))
    assert "-New text." in view and "Restore this revision" in view
    response = client.post(url + "/revisions/1/restore", follow_redirects=True)
    assert "Revision 1 is the current text again." in html(response)
    text = get_course(db).modules[0].text("en")
    assert text.title == "Why trade controls matter" and "Article 3 limits trade" in text.body_html
    assert [r.note for r in text.revisions][:1] == ["Restored revision 1"]
    assert client.get(url + "/revisions/9").status_code == 404


def test_broken_links_are_refused_on_save(client, synced, trainer, db):
    response = client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "save": "Save", "body": "[x](09-nope.md)"})
    assert response.status_code == 200
    assert "broken link" in html(response)
    assert get_course(db).modules[0].text("en").title == "Why trade controls matter"


def test_translate_a_module_and_the_course(client, synced, trainer, db):
    client.post("/author/courses/customs-trade/modules/hs-codes/fr", data={
        "title": "Les codes SH", "body": "Le chapitre 38.", "save": "Save"})
    assert get_course(db).modules[1].text("fr").title == "Les codes SH"
    response = client.post("/author/courses/customs-trade/translation", data={"language": "es"})
    assert response.headers["Location"].endswith("/author/courses/customs-trade/text/es")
    client.post("/author/courses/customs-trade/text/es", data={
        "title": "Controles comerciales", "summary": "Resumen.", "audience": "Aduanas\n",
        "intro": "Hola.", "save": "Save"})
    text = get_course(db).text("es")
    assert (text.language, text.title, text.audience) == ("es", "Controles comerciales",
                                                          ["Aduanas"])


def test_reorder_and_publish(client, synced, trainer, db):
    client.post("/author/courses/customs-trade/modules/detecting/move",
                data={"direction": "up"})
    assert [m.slug for m in get_course(db).modules] == ["why", "detecting", "hs-codes"]
    client.post("/author/courses/customs-trade/modules/why/move", data={"direction": "up"})
    assert [m.slug for m in get_course(db).modules] == ["why", "detecting", "hs-codes"]
    client.post("/author/courses/customs-trade/modules/why/publish", data={"published": "0"})
    assert [m.slug for m in get_course(db).published_modules] == ["detecting", "hs-codes"]
    client.post("/author/courses/customs-trade/publish", data={"published": "0"})
    assert not get_course(db).published
    # Trainers still see the unpublished course; learners do not (tested in the API too).
    assert client.get("/courses/customs-trade").status_code == 200


def test_create_a_course_and_a_module(client, synced, trainer, db):
    data = {"slug": "pcb-inventories", "language": "en", "theme": "pcbs", "minutes": 45,
            "title": "PCB inventories", "summary": "How to find PCB equipment.",
            "audience": "National experts\nUtilities", "intro": "Start here.",
            "quiz_bank": "trade-final", "pass_mark": 60, "attempts_allowed": 0,
            "time_limit_minutes": "", "questions_per_attempt": 8, "shuffle_answers": "y",
            "save": "Save"}
    response = client.post("/author/courses/new", data=data)
    assert response.headers["Location"].endswith("/author/courses/pcb-inventories")
    course = get_course(db, "pcb-inventories")
    assert (course.published, course.theme.slug, course.quiz_bank, course.pass_mark,
            course.attempts_allowed, course.time_limit_minutes, course.show_feedback) == (
        False, "pcbs", "trade-final", 60, 0, None, False)
    again = client.post("/author/courses/new", data=data)
    assert again.status_code == 200 and "Already taken." in html(again)
    bad = client.post("/author/courses/new", data={**data, "slug": "Bad Slug!"})
    assert "Use lower-case letters" in html(bad)
    # Publishing needs a module first.
    response = client.post("/author/courses/pcb-inventories/publish", data={"published": "1"},
                           follow_redirects=True)
    assert "Publish at least one module" in html(response)
    response = client.post("/author/courses/pcb-inventories/modules/new", data={
        "slug": "finding-equipment", "title": "Finding equipment", "minutes": 15,
        "body": "Look at the **nameplate**.", "save": "Save"})
    assert response.status_code == 302
    client.post("/author/courses/pcb-inventories/publish", data={"published": "1"})
    course = get_course(db, "pcb-inventories")
    assert course.published and [m.slug for m in course.modules] == ["finding-equipment"]
    assert "<strong>nameplate</strong>" in course.modules[0].text("en").body_html


def test_settings_form(client, synced, trainer, db):
    page = html(client.get("/author/courses/customs-trade/settings"))
    assert '<option selected value="trade-final">' in page or 'value="trade-final" selected' in page
    client.post("/author/courses/customs-trade/settings", data={
        "theme": "customs", "minutes": 90, "quiz_bank": "", "pass_mark": 80,
        "attempts_allowed": 3, "questions_per_attempt": 10})
    course = get_course(db)
    assert (course.minutes, course.quiz_bank) == (90, None)


def test_banks_made_in_the_browser_are_offered_for_the_closing_quiz(client, synced, trainer,
                                                                   db):
    from elearn.quizzes.banks import import_bank

    import_bank("hs-codes-drill", "::HS::Which HS chapter covers pesticides?{=38}\n",
                title="HS codes drill", user=trainer)
    db.session.commit()
    page = html(client.get("/author/courses/customs-trade/settings"))
    assert '<option value="hs-codes-drill">HS codes drill (hs-codes-drill)</option>' in page
    assert "trade-final" in page  # the library's bank too
    client.post("/author/courses/customs-trade/settings", data={
        "theme": "customs", "minutes": 90, "quiz_bank": "hs-codes-drill", "pass_mark": 80,
        "attempts_allowed": 3, "questions_per_attempt": 1})
    assert get_course(db).quiz_bank == "hs-codes-drill"
    new = html(client.get("/author/courses/new"))
    assert 'value="hs-codes-drill"' in new


def test_the_settings_service_refuses_a_bank_that_does_not_exist(db, synced):
    from elearn.courses.editing import AuthoringError, update_course_settings

    course = get_course(db)
    settings = {"theme": course.theme, "minutes": 60, "pass_mark": 80, "attempts_allowed": 3,
                "time_limit_minutes": None, "questions_per_attempt": 5,
                "shuffle_answers": True, "show_feedback": True, "show_correct_answers": True}
    with pytest.raises(AuthoringError) as refused:
        update_course_settings(course, quiz_bank="no-such-bank", **settings)
    assert refused.value.errors == {"quiz_bank": ["Choose a question bank from the list."]}
    db.session.rollback()
    assert update_course_settings(get_course(db), quiz_bank="trade-final", **settings)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("drawing.svg", b"<svg onload='alert(1)'/>", "Only PNG, JPEG, GIF, WebP images and PDF"),
    ("page.html", b"<script>alert(1)</script>", "Only PNG, JPEG, GIF, WebP images and PDF"),
    ("photo.jpg", PNG, "The file is a image/png but its name ends in .jpg."),
    ("huge.png", PNG + bytes(3 * 1024 * 1024), "The file is larger than 2048 KB."),
])
def test_uploads_are_checked(client, synced, trainer, db, name, data, message):
    response = client.post("/author/courses/customs-trade/media",
                           data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data", follow_redirects=True)
    assert message in html(response)
    assert db.session.execute(select(func.count(CourseMedia.id))).scalar() == 0


def test_upload_use_and_delete_an_image(client, synced, trainer, db):
    response = client.post("/author/courses/customs-trade/media",
                           data={"file": (io.BytesIO(PNG), "Border Map.PNG")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "![description](media/border-map.png)" in html(response)
    client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "save": "Save", "body": "![Map](media/border-map.png)"})
    body = get_course(db).modules[0].text("en").body_html
    assert 'src="/courses/customs-trade/media/border-map.png"' in body
    assert client.get("/courses/customs-trade/media/border-map.png").data == PNG
    client.post("/author/courses/customs-trade/media/border-map.png/delete")
    assert client.get("/courses/customs-trade/media/border-map.png").status_code == 404


def test_export_zip_holds_the_course_files(client, synced, trainer, db):
    response = client.get("/author/courses/customs-trade/export.zip")
    assert response.mimetype == "application/zip"
    assert 'filename="customs-trade.zip"' in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == [
        "customs-trade/01-why.fr.md", "customs-trade/01-why.md", "customs-trade/02-hs-codes.md",
        "customs-trade/03-detecting.md", "customs-trade/course.fr.md", "customs-trade/course.md"]
    course_md = archive.read("customs-trade/course.md").decode()
    assert course_md.startswith("---\ntitle: Trade controls for customs officers\ntheme: customs")
    assert "audience: [Customs officers, Border police]" in course_md
    assert re.search(r"quiz:\n  bank: trade-final\n  pass_mark: 70\n", course_md)
    assert archive.read("customs-trade/02-hs-codes.md").decode().endswith(
        "Chapter 38 covers pesticides. Back to [the start](01-why.md).\n")


def test_export_cli_writes_the_folder(app, db, synced, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "export", "customs-trade", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "customs-trade/01-why.fr.md").is_file()
    refused = runner.invoke(args=["content", "export", "customs-trade", str(tmp_path)])
    assert refused.exit_code != 0 and "--replace" in refused.output
    (tmp_path / "customs-trade/09-old.md").write_text("stale")
    replaced = runner.invoke(args=["content", "export", "customs-trade", str(tmp_path),
                                   "--replace"])
    assert replaced.exit_code == 0 and not (tmp_path / "customs-trade/09-old.md").exists()
    missing = runner.invoke(args=["content", "export", "nope", str(tmp_path)])
    assert missing.exit_code != 0 and "No course 'nope'" in missing.output
    assert db.session.execute(select(func.count(ModuleRevision.id))).scalar() == 5
