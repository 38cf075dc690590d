"""The public pages: finding a webinar, reading its time in one's own zone, registering
as a guest or with an account, the manage link, calendar downloads and feeds."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from icalendar import Calendar
from sqlalchemy import select

from elearn.mail.delivery import deliver_due
from elearn.webinars.models import Registration
from elearn.webinars.registrations import register
from elearn.webinars.services import cancel_webinar, update_webinar
from elearn.webinars.times import local_to_utc
from tests.conftest import mail_body
from tests.webinars.conftest import outbox_for

GUEST_FORM = {
    "name": "Amina Diallo",
    "email": "Amina.Diallo@example.sn",
    "country": "SN",
    "organisation": "Direction de l'environnement",
    "language": "fr",
    "timezone": "Africa/Dakar",
}


def text(response) -> str:
    """The page's text with CLDR's narrow no-break spaces made plain."""
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def test_list_filters_by_theme_and_language_and_shows_past_recordings(client, db,
                                                                      make_webinar,
                                                                      move_to_past):
    make_webinar(title="Inventories of new POPs", theme="nip", language="en")
    make_webinar(title="Inventaires des nouveaux POP", theme="nip", language="fr")
    make_webinar(title="Trade in POPs", theme="customs", language="en")
    over = make_webinar(title="Old briefing", theme="poprc", starts_in=timedelta(days=2))
    db.session.commit()
    page = text(client.get("/webinars/"))
    for title in ("Inventories of new POPs", "Inventaires des nouveaux POP", "Trade in POPs"):
        assert title in page
    assert "Old briefing" in page
    page = text(client.get("/webinars/?theme=nip&lang=fr"))
    assert "Inventaires des nouveaux POP" in page
    assert "Inventories of new POPs" not in page and "Trade in POPs" not in page
    assert "/webinars/themes/nip.ics" in page
    # An unknown filter is ignored rather than an error.
    assert client.get("/webinars/?theme=nonsense&lang=xx").status_code == 200

    # Once over, a webinar moves to the past list with its recording.
    update_webinar(over, recording_url="https://video.example.org/briefing")
    db.session.commit()
    move_to_past(over)
    assert "Old briefing" not in text(client.get("/webinars/"))
    past = text(client.get("/webinars/?when=past"))
    assert "Old briefing" in past and "https://video.example.org/briefing" in past
    detail = text(client.get(f"/webinars/{over.id}"))
    assert "Watch the recording" in detail and "Registration is closed." in detail


def test_times_in_the_visitors_zone_across_a_daylight_saving_change(client, db, make_webinar):
    starts = [local_to_utc(day, time(15, 0), "Europe/Paris")
              for day in (date(2030, 10, 20), date(2030, 10, 27), date(2030, 11, 10))]
    webinars = [make_webinar(title=f"Session {n}", starts_at=s, timezone="Europe/Paris")
                for n, s in enumerate(starts)]
    db.session.commit()
    response = client.post("/webinars/timezone",
                           data={"tz": "America/New_York", "next": "/webinars/"})
    assert response.status_code == 302 and response.headers["Location"] == "/webinars/"
    cookie = response.headers["Set-Cookie"]
    assert "tz=America/New_York" in cookie and "HttpOnly" in cookie
    expected = [("9:00 AM", "UTC-04:00", "3:00 PM", "UTC+02:00", "1:00 PM"),
                ("10:00 AM", "UTC-04:00", "3:00 PM", "UTC+01:00", "2:00 PM"),
                ("9:00 AM", "UTC-05:00", "3:00 PM", "UTC+01:00", "2:00 PM")]
    for webinar, (ny, ny_offset, paris, paris_offset, utc) in zip(webinars, expected,
                                                                 strict=True):
        page = text(client.get(f"/webinars/{webinar.id}"))
        for label, clock, zone in (
            ("Your time", ny, f"America/New York ({ny_offset})"),
            ("Webinar's time zone", paris, f"Europe/Paris ({paris_offset})"),
            ("UTC", utc, "UTC"),
        ):
            pattern = (rf"{re.escape(label)}</dt>\s*<dd><time[^>]*>[^<]*{clock}</time> "
                       rf"<span class=\"muted\">{re.escape(zone)}</span>")
            assert re.search(pattern, page), (label, clock, zone)
    listing = text(client.get("/webinars/"))
    assert listing.count("America/New York (UTC-04:00)") == 2
    assert listing.count("America/New York (UTC-05:00)") == 1
    # A bad zone is refused with a message and no cookie.
    response = client.post("/webinars/timezone", data={"tz": "Mars/Olympus"})
    assert "tz=" not in response.headers.get("Set-Cookie", "")


def test_a_signed_in_persons_profile_zone_wins(client, db, make_webinar, make_user, login):
    starts = local_to_utc(date(2030, 10, 27), time(15, 0), "Europe/Paris")
    webinar = make_webinar(starts_at=starts, timezone="Europe/Paris")
    login(make_user(timezone="Asia/Tokyo"))
    client.set_cookie("tz", "America/New_York")
    page = text(client.get(f"/webinars/{webinar.id}"))
    assert "Asia/Tokyo (UTC+09:00)" in page and "11:00 PM" in page
    assert "America/New York" not in page


def test_guest_registers_and_lands_on_the_manage_page(client, db, make_webinar):
    webinar = make_webinar(capacity=3)
    client.set_cookie("tz", "Africa/Dakar")
    page = text(client.get(f"/webinars/{webinar.id}"))
    assert "3 seats left." in page
    assert "Register" in page and 'name="email"' not in page  # the form is a page of its own
    form = text(client.get(f"/webinars/{webinar.id}/register"))
    assert "<option selected>Africa/Dakar</option>" in form
    response = client.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM)
    assert response.status_code == 302
    registration = db.session.execute(select(Registration)).scalar_one()
    assert response.headers["Location"] == f"/webinars/manage/{registration.manage_token}"
    assert (registration.email, registration.language, registration.timezone) == (
        "amina.diallo@example.sn", "fr", "Africa/Dakar")
    manage = client.get(response.headers["Location"])
    assert manage.headers["Cache-Control"] == "no-store"
    page = text(manage)
    assert "confirmed" in page and webinar.join_url in page
    [mail] = outbox_for(db, "amina.diallo@example.sn", "webinars/confirmed")
    assert mail.language == "fr"
    assert "2 seats left." in text(client.get(f"/webinars/{webinar.id}"))


def test_a_bad_guest_form_writes_nothing_and_says_why(client, db, make_webinar):
    webinar = make_webinar()
    bad = dict(GUEST_FORM, email="not-an-address", country="", timezone="Mars/Olympus")
    response = client.post(f"/webinars/{webinar.id}/register", data=bad)
    assert response.status_code == 422
    page = text(response)
    assert page.count('aria-invalid="true"') == 3
    assert db.session.execute(select(Registration)).first() is None


def test_registering_an_address_again_reveals_nothing_and_mails_the_owner(client, db,
                                                                          make_webinar):
    webinar = make_webinar()
    first = client.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM)
    token = first.headers["Location"].rsplit("/", 1)[1]
    again = client.post(f"/webinars/{webinar.id}/register",
                        data=dict(GUEST_FORM, name="An impostor"))
    assert again.status_code == 200
    page = text(again)
    assert "already registered" in page and token not in page
    assert len(db.session.execute(select(Registration)).all()) == 1
    [resent] = outbox_for(db, "amina.diallo@example.sn", "webinars/manage_link")
    assert token in resent.body_text


def test_signed_in_registration_uses_the_profile(client, db, make_webinar, make_user, login):
    webinar = make_webinar()
    user = make_user(name="Carlos Pérez", locale="es", timezone="America/Bogota")
    login(user)
    page = text(client.get(f"/webinars/{webinar.id}"))
    assert "Se inscribirá como Carlos Pérez" in page and 'name="email"' not in page
    assert "Se inscribirá como Carlos Pérez" in text(client.get(f"/webinars/{webinar.id}/register"))
    response = client.post(f"/webinars/{webinar.id}/register", data={})
    assert response.status_code == 302
    registration = db.session.execute(select(Registration)).scalar_one()
    assert (registration.user_id, registration.language) == (user.id, "es")
    # Registering again takes them to their own registration.
    again = client.post(f"/webinars/{webinar.id}/register", data={})
    assert again.headers["Location"].endswith(registration.manage_token)
    assert "Está inscrito:" in text(client.get(f"/webinars/{webinar.id}"))


def test_cancelling_through_the_manage_link_promotes_and_tells_the_next(client, db,
                                                                         make_webinar,
                                                                         smtp_server):
    webinar = make_webinar(capacity=1)
    seat = client.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM)
    client.post(f"/webinars/{webinar.id}/register",
                data=dict(GUEST_FORM, name="Next In Line", email="next@example.org",
                          language="en"))
    waiting = db.session.execute(
        select(Registration).where(Registration.email == "next@example.org")).scalar_one()
    assert "number 1 on the waiting list" in text(
        client.get(f"/webinars/manage/{waiting.manage_token}"))
    deliver_due()
    smtp_server.messages.clear()

    manage = seat.headers["Location"]
    response = client.post(f"{manage}/cancel")
    assert response.status_code == 302
    assert "Cancel my registration" not in text(client.get(manage))
    deliver_due()
    [told] = smtp_server.to("next@example.org")
    assert "A seat is free for you" in told["Subject"]
    assert webinar.join_url in mail_body(told)
    [part] = list(told.iter_attachments())
    assert part.get_param("method") == "REQUEST"
    [bye] = smtp_server.to("amina.diallo@example.sn")
    assert [p.get_param("method") for p in bye.iter_attachments()] == ["CANCEL"]


def test_calendar_downloads_and_theme_feed(client, db, make_webinar):
    webinar = make_webinar(theme="ddt", title="Alternatives to DDT")
    gone = make_webinar(theme="ddt", title="Cancelled session")
    cancel_webinar(gone)
    result = register(webinar.id, name="A", email="a@example.org", country="KE",
                      organisation="", language="en", timezone="UTC")
    db.session.commit()

    response = client.get(f"/webinars/{webinar.id}/invite.ics")
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == webinar.uid

    mine = client.get(f"/webinars/manage/{result.registration.manage_token}/invite.ics")
    assert str(Calendar.from_ical(mine.data)["METHOD"]) == "REQUEST"

    feed = client.get("/webinars/themes/ddt.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = {str(e["SUMMARY"]): str(e["STATUS"])
              for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert events == {"Alternatives to DDT": "CONFIRMED", "Cancelled session": "CANCELLED"}
    assert client.get("/webinars/themes/unknown.ics").status_code == 404


def test_unknown_webinars_and_tokens_are_404(client, db):
    assert client.get("/webinars/999").status_code == 404
    assert client.get("/webinars/manage/not-a-token").status_code == 404
    assert client.post("/webinars/manage/not-a-token/cancel").status_code == 404


def test_cancelled_webinar_page_takes_no_registration(client, db, make_webinar):
    webinar = make_webinar()
    cancel_webinar(webinar)
    db.session.commit()
    page = text(client.get(f"/webinars/{webinar.id}"))
    assert "This webinar has been cancelled." in page and 'name="email"' not in page
    response = client.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM)
    assert response.status_code == 302
    assert "cancelled" in text(client.get(response.headers["Location"]))
    assert db.session.execute(select(Registration)).first() is None


def test_registrations_from_one_address_are_rate_limited(app, client, db, make_webinar):
    webinar = make_webinar(capacity=100)
    limit = int(app.config["RATELIMIT_REGISTER"].split(" ")[0])
    statuses = [client.post(f"/webinars/{webinar.id}/register",
                            data=dict(GUEST_FORM, email=f"p{n}@example.org")).status_code
                for n in range(limit + 1)]
    assert statuses[:limit] == [302] * limit
    assert statuses[-1] == 429
    last = client.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM)
    assert "Too many requests" in text(last)
    # Another address is not affected.
    other = app.test_client()
    response = other.post(f"/webinars/{webinar.id}/register", data=GUEST_FORM,
                          environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_pages_need_no_javascript_and_stay_light(client, db, make_webinar):
    webinar = make_webinar(description="A **long** description. " * 40)
    with client.get("/static/style.css") as response:
        css = len(response.get_data())
    register(webinar.id, name="A", email="a@example.org", country="KE", organisation="",
             language="en", timezone="UTC")
    db.session.commit()
    token = db.session.execute(select(Registration.manage_token)).scalar_one()
    for path in ("/webinars/", f"/webinars/{webinar.id}", f"/webinars/{webinar.id}/register",
                 f"/webinars/manage/{token}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html
        assert len(html.encode()) + css < 50_000, path


def test_a_long_list_is_paged_and_stays_light(client, db, make_webinar):
    for n in range(20):
        make_webinar(title=f"Session number {n:02d}", starts_in=timedelta(days=2 + n))
    with client.get("/static/style.css") as response:
        css = len(response.get_data())
    first = client.get("/webinars/")
    html = first.get_data(as_text=True)
    assert "Session number 14" in html and "Session number 15" not in html
    assert len(first.data) + css < 50_000
    assert 'href="/webinars/?page=2"' in html
    second = text(client.get("/webinars/?page=2"))
    assert "Session number 15" in second and "Session number 19" in second
    assert "Session number 00" not in second and "Next page" not in second


def test_webinar_pages_name_the_theme_in_the_viewers_language(client, make_webinar):
    webinar = make_webinar(theme="customs")
    french = text(client.get(f"/webinars/{webinar.id}", headers={"Accept-Language": "fr"}))
    assert "Questions relatives aux douanes et au commerce" in french
    english = text(client.get(f"/webinars/{webinar.id}", headers={"Accept-Language": "en"}))
    assert "Customs and trade-related issues" in english
