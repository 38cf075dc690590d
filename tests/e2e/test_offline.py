"""A learner downloads a course to read offline, opens the file from disk in Chromium (the
images are there), and back online follows a module's link to mark it complete."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tests.e2e.a11y import PASSWORD, assert_accessible

pytestmark = pytest.mark.e2e

SLUG = "pops-in-the-field"


def photo(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (243, 246, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 8, width * 7 // 8, height * 7 // 8), fill=(11, 85, 99))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def a_course_with_images(world) -> None:
    """A trainer's course: two modules, a wide photograph and a small diagram."""
    from elearn.accounts.services import find_user_by_email
    from elearn.courses import editing
    from elearn.courses.models import Theme
    from elearn.extensions import db

    app = world.app()
    with app.test_request_context():
        trainer = find_user_by_email("audit.trainer@example.org")
        theme = db.session.execute(db.select(Theme).where(Theme.slug == "pcbs")).scalar_one()
        course = editing.create_course(
            slug=SLUG, theme=theme, language="en", title="PCBs in the field",
            summary="What an inspector sees in a substation.", audience=["Inspectors"],
            intro="Two short modules, with photographs.", user=trainer,
            minutes=30, quiz_bank=None, pass_mark=80, attempts_allowed=3,
            time_limit_minutes=None, questions_per_attempt=10, shuffle_answers=True,
            show_feedback=True, show_correct_answers=True)
        editing.upload_media(course, "substation.jpg", photo(2400, 1600), trainer)
        editing.upload_media(course, "label.jpg", photo(400, 200), trainer)
        first = editing.create_module(course, slug="substation", title="A substation visit",
                                      minutes=15, user=trainer, body="# A substation visit\n")
        editing.create_module(course, slug="labels", title="Labels", minutes=15,
                              user=trainer, body=(
            "# Labels\n\n## Reading a label\n\nA label names the oil and its PCB content.\n\n"
            "![An equipment label](media/label.jpg)\n"))
        editing.save_module(first, "en", title="A substation visit", user=trainer, body=(
            "# A substation visit\n\n## What to look at\n\nTransformers and capacitors "
            "made before 1980 may hold PCB oil.\n\n"
            "![A transformer yard seen from the gate](media/substation.jpg)\n\n"
            "Next: [labels](02-labels.md#reading-a-label).\n"))
        editing.set_course_published(course, True)
        db.session.commit()
        db.session.remove()


def test_download_read_offline_and_mark_complete_back_online(axe, world, live_server,
                                                             tmp_path):
    a_course_with_images(world)
    email = "offline.reader@example.org"
    live_server.flask("users", "create", "--email", email, "--name", "Offline Reader",
                      "--password", PASSWORD, "--country", "TZ")
    context = world.context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"/courses/{SLUG}")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download for offline reading").click()
        download = download_info.value
        assert download.suggested_filename == f"{SLUG}-en.html"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)

        # Off the network, from disk: the text, the images, no script.
        context.set_offline(True)
        page.goto(saved.as_uri())
        page.get_by_role("heading", name="PCBs in the field", level=1).wait_for()
        page.get_by_role("heading", name="A substation visit").wait_for()
        assert page.get_by_text("may hold PCB oil").is_visible()
        images = page.locator("img")
        assert images.count() == 2
        for i in range(images.count()):
            image = images.nth(i)
            image.scroll_into_view_if_needed()
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), i
            assert image.get_attribute("src").startswith("data:image/jpeg;base64,")
        assert images.first.evaluate("img => img.naturalWidth") == 960  # the resized copy
        assert page.locator("script").count() == 0
        assert "/static/style.css" not in page.content()
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                             ".backgroundColor") == "rgb(11, 85, 99)"  # its own styles
        # The contents and the links between modules stay inside the file.
        page.get_by_role("link", name="Labels").first.click()
        assert page.url.endswith("#module-labels")
        page.get_by_role("link", name="labels", exact=True).click()
        assert page.url.endswith("#labels--reading-a-label")
        assert_accessible(page, "offline file")

        # Back online, the first module's link leads to the site: sign in, confirm.
        context.set_offline(False)
        page.get_by_role("link", name="I have read this module: mark it complete").first.click()
        page.wait_for_url("**/login**")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/courses/{SLUG}/modules/substation/complete")
        assert_accessible(page, "confirm completion")
        page.get_by_role("button", name="I have read this module: mark it complete").click()
        page.get_by_text("You have completed this module.").wait_for()
        page.goto(f"/courses/{SLUG}")
        assert page.get_by_text("Progress: 50%", exact=True).is_visible()
    finally:
        context.close()
