"""Webinar themes are the courses' Theme rows: one list, one title per theme."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import select

from elearn.courses.models import Theme
from elearn.webinars.errors import WebinarError
from tests.webinars.test_webinar_api import NEW
from tests.webinars.test_webinar_trainer import FORM


@pytest.fixture
def mercury(db):
    """A theme added to courses/themes.yml after the webinars feature was written."""
    theme = Theme(slug="mercury", title="Mercury and the Minamata Convention", position=13)
    db.session.add(theme)
    db.session.commit()
    return theme


def test_a_theme_added_to_the_library_can_be_chosen_and_is_named_everywhere(
        client, db, make_user, login, mercury):
    login(make_user(role="trainer"))
    form = client.get("/webinars/new").get_data(as_text=True)
    assert '<option value="mercury">Mercury and the Minamata Convention</option>' in form
    assert "Customs and trade-related issues" in form  # themes.yml's title, not another
    response = client.post("/webinars/new", data=dict(FORM, theme="mercury"))
    assert response.status_code == 302, response.get_data(as_text=True)
    webinar_id = int(response.headers["Location"].rsplit("/", 1)[1])

    page = client.get(f"/webinars/{webinar_id}").get_data(as_text=True)
    assert ">Mercury and the Minamata Convention</a>" in page
    listing = client.get("/webinars/?theme=mercury").get_data(as_text=True)
    assert "Mercury and the Minamata Convention ·" in listing
    assert 'href="/webinars/themes/mercury.ics"' in listing
    feed = client.get("/webinars/themes/mercury.ics")
    assert feed.status_code == 200
    [event] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert event["CATEGORIES"].to_ical().decode() == "Mercury and the Minamata Convention"

    invite = Calendar.from_ical(client.get(f"/webinars/{webinar_id}/invite.ics").data)
    [event] = invite.walk("VEVENT")
    assert event["CATEGORIES"].to_ical().decode() == "Mercury and the Minamata Convention"

def test_a_renamed_theme_is_renamed_on_webinar_pages(client, db, make_webinar):
    webinar = make_webinar(theme="ddt")
    theme = db.session.execute(select(Theme).where(Theme.slug == "ddt")).scalar_one()
    theme.title = "DDT and integrated vector management"
    db.session.commit()
    page = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert ">DDT and integrated vector management</a>" in page


def test_a_slug_that_is_no_theme_row_is_refused_everywhere(client, db, make_user, login,
                                                           api_token, make_webinar):
    from elearn.webinars.services import create_webinar, update_webinar

    trainer = make_user(role="trainer")
    headers = api_token(trainer)
    response = client.post("/api/v1/webinars", json=dict(NEW, theme="mercury"),
                           headers=headers)
    assert response.status_code == 422
    assert "GET /api/v1/themes" in str(response.get_json()["errors"]["theme"])
    assert client.get("/api/v1/webinars?theme=mercury").status_code == 422
    assert client.get("/webinars/themes/mercury.ics").status_code == 404

    webinar = make_webinar()
    with pytest.raises(WebinarError) as refused:
        update_webinar(webinar, theme="mercury")
    assert refused.value.errors == {"theme": ["Choose one of the programme's themes."]}
    db.session.rollback()
    with pytest.raises(WebinarError):
        create_webinar(**{**dict(title="T", theme="chemistry", language="en"),
                          "starts_at": webinar.starts_at, "timezone": "UTC",
                          "duration_minutes": 60, "capacity": 5,
                          "join_url": "https://meet.example.org/j/x"})
    db.session.rollback()

    login(trainer)
    form = client.post("/webinars/new", data=dict(FORM, theme="mercury"))
    assert form.status_code == 422
    assert "Not a valid choice" in form.get_data(as_text=True)
