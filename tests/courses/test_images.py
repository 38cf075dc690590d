"""Course images for slow links: wide ones are shown as a copy at most 960 pixels wide,
with their size on the <img> (no jump when they arrive) and loaded lazily; the original
stays available."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select, update

from elearn.courses import editing
from elearn.courses.media import DISPLAY_WIDTH, display_image
from elearn.courses.models import Course, CourseMedia
from tests.courses.conftest import write


def image(width: int, height: int, fmt: str = "PNG", colour=(11, 85, 99), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt, **save)
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def customs(db) -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == "customs-trade")).scalar_one()


@pytest.fixture
def trainer(client, make_user, login):
    return login(make_user(role="trainer"))


def upload(client, name: str, data: bytes):
    return client.post("/author/courses/customs-trade/media",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_wide_upload_is_shown_resized_with_its_size(client, synced, trainer, db):
    original = image(2400, 1200)
    assert upload(client, "border-map.png", original).status_code == 200
    client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "save": "Save",
        "body": "![Border map](media/border-map.png)"})

    body = customs(db).modules[0].text("en").body_html
    assert re.search(r'<img alt="Border map" src="/courses/customs-trade/media/border-map.png" '
                     r'loading="lazy" width="960" height="480">', body), body
    shown = client.get("/courses/customs-trade/media/border-map.png")
    assert shown.mimetype == "image/png" and size_of(shown.data) == (DISPLAY_WIDTH, 480)
    assert len(shown.data) < len(original)
    full = client.get("/courses/customs-trade/media/border-map.png?size=original")
    assert full.data == original  # stored and served as uploaded
    assert shown.headers["ETag"] != full.headers["ETag"]
    # The trainer's list links to the original and says how pages show it.
    page = client.get("/author/courses/customs-trade").get_data(as_text=True)
    assert 'href="/courses/customs-trade/media/border-map.png?size=original"' in page
    assert "shown 960 × 480 px" in page


def test_a_narrow_image_is_served_as_it_is(client, synced, trainer, db):
    original = image(640, 360, "JPEG")
    upload(client, "checkpoint.jpg", original)
    client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "save": "Save",
        "body": "![Checkpoint](media/checkpoint.jpg)"})
    assert 'width="640" height="360"' in customs(db).modules[0].text("en").body_html
    assert client.get("/courses/customs-trade/media/checkpoint.jpg").data == original


def test_replacing_an_image_updates_the_size_in_the_modules(client, synced, trainer, db):
    upload(client, "chart.webp", image(1200, 600, "WEBP"))
    client.post("/author/courses/customs-trade/modules/why/en", data={
        "title": "Why", "minutes": 20, "save": "Save", "body": "![Chart](media/chart.webp)"})
    assert 'width="960" height="480"' in customs(db).modules[0].text("en").body_html
    upload(client, "chart.webp", image(300, 300, "WEBP"))
    text = customs(db).modules[0].text("en")
    assert 'width="300" height="300"' in text.body_html
    assert len(text.revisions) == 2  # re-rendered, not a new revision of the Markdown
    served = client.get("/courses/customs-trade/media/chart.webp")
    assert served.mimetype == "image/webp" and size_of(served.data) == (300, 300)


def test_the_sync_stores_images_before_it_renders_the_modules(db, library):
    from elearn.courses.sync import sync_library

    (library / "courses/customs-trade/media").mkdir()
    (library / "courses/customs-trade/media/route.png").write_bytes(image(1920, 1080))
    write(library, "courses/customs-trade/03-detecting.md",
          "---\ntitle: Detecting illegal trade\nminutes: 20\n---\n# Detecting\n\n"
          "![Smuggling routes](media/route.png)\n")
    sync_library(library)
    db.session.commit()
    html = next(m for m in customs(db).modules if m.slug == "detecting").text("en").body_html
    assert 'loading="lazy" width="960" height="540"' in html


def test_images_stored_before_they_were_measured_are_resized_when_first_served(
        client, synced, db):
    editing.upload_media(customs(db), "old.png", image(3000, 1000), None)
    db.session.execute(update(CourseMedia).values(width=None, height=None, resized=None))
    db.session.commit()
    served = client.get("/courses/customs-trade/media/old.png")
    assert size_of(served.data) == (960, 320)
    db.session.expire_all()
    media = db.session.execute(select(CourseMedia)).scalar_one()
    assert (media.width, media.height) == (960, 320) and media.resized is not None


def test_what_cannot_be_resized_is_left_alone():
    assert display_image(b"%PDF-1.4\n", "application/pdf") is None
    assert display_image(b"\x89PNG\r\n\x1a\n" + bytes(16), "image/png") is None  # unreadable
    frames = [Image.new("RGB", (1200, 100), (80 * i, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    animated = display_image(out.getvalue(), "image/gif")
    assert (animated.width, animated.height, animated.resized) == (1200, 100, None)
    # A photograph's orientation is applied and its EXIF (a location...) left out.
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the camera held upright
    photo = display_image(image(2000, 1000, "JPEG", exif=exif.tobytes()), "image/jpeg")
    assert (photo.width, photo.height) == (960, 1920)
    with Image.open(io.BytesIO(photo.resized)) as copy:
        assert copy.size == (960, 1920) and not copy.getexif()
