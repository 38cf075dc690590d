"""A trainee's webinar journey in Chromium.

A trainer publishes a webinar with one seat. A trainee in India finds it, reads its time
in her own zone, registers as a guest and receives the confirmation with a valid
calendar invitation. A second person joins the waiting list. The trainee cancels through
the manage link in her e-mail, and the second person is promoted and told.

Uses the e2e fixtures: ``live_server`` (``.url``, ``.flask(*args)``, and ``.mail_dir``,
the server's MAIL_FILE_DIR where mail lands as .eml files when no SMTP server is set)
and ``page`` (Playwright, sync API).
"""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from elearn.webinars.times import format_when, local_to_utc

pytestmark = pytest.mark.e2e

if not (Path(__file__).parent / "conftest.py").exists():
    pytest.skip("the e2e fixtures (tests/e2e/conftest.py: live_server, page) are not in this "
                "tree yet", allow_module_level=True)

TRAINER = ("trainer.journey@example.org", "a long trainer password")
TRAINEE = "priya.sharma@example.in"
NEXT_IN_LINE = "kwame.mensah@example.gh"
TITLE = "Customs controls on POPs in trade"
JOIN = "https://meet.example.org/j/customs-pops"


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def deliver_and_read(live_server) -> list[EmailMessage]:
    """Run the delivery job on the server's database; every message written so far."""
    result = live_server.flask("mail", "deliver")
    assert result.returncode == 0, result.stderr
    files = sorted(Path(live_server.mail_dir).glob("*.eml"))
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def only(messages: list[EmailMessage], to: str, subject: str) -> EmailMessage:
    found = [m for m in messages if m["To"] == to and subject in m["Subject"]]
    assert len(found) == 1, [(m["To"], m["Subject"]) for m in messages]
    return found[0]


def invitation(message: EmailMessage) -> tuple[str, Calendar]:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def api(live_server, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        live_server.url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_trainee_registers_cancels_and_the_next_in_line_is_promoted(live_server, page):
    created = live_server.flask("users", "create", "--email", TRAINER[0], "--name",
                                "Tina Trainer", "--role", "trainer", "--password", TRAINER[1])
    assert created.returncode == 0, created.stderr
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    starts = local_to_utc(day, time(14, 0), "Europe/Paris")

    # The trainer publishes a webinar with a single seat.
    page.goto(f"{live_server.url}/login")
    page.fill("#email", TRAINER[0])
    page.fill("#password", TRAINER[1])
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/webinars/new")
    page.fill("#title", TITLE)
    page.select_option("#theme", "customs")
    page.select_option("#language", "en")
    page.fill("#description", "Controlling the **import and export** of POPs.")
    page.fill("#start_date", day.isoformat())
    page.fill("#start_time", "14:00")
    page.select_option("#timezone", "Europe/Paris")
    page.fill("#duration_minutes", "60")
    page.fill("#capacity", "1")
    page.fill("#join_url", JOIN)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/webinars/\d+$"))
    webinar_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("button", name="Sign out").click()

    # The trainee picks her zone and finds the webinar by its theme.
    page.goto(f"{live_server.url}/webinars/")
    page.select_option("#tz", "Asia/Kolkata")
    page.get_by_role("button", name="Use this time zone").click()
    page.select_option("#theme", "customs")
    page.get_by_role("button", name="Show").click()
    card = page.locator(".webinar-list li", has_text=TITLE)
    assert "Asia/Kolkata (UTC+05:30)" in plain(card.inner_text())
    card.get_by_role("link", name=TITLE).click()

    mine = page.locator(".times .mine")
    expected = plain(format_when(starts, "Asia/Kolkata", "en"))
    assert expected in plain(mine.inner_text())  # 18:30 in India for 14:00 in Paris
    assert "Europe/Paris" in page.locator(".times").inner_text()

    # She registers as a guest; the form already has her zone.
    page.get_by_role("link", name="Register").click()
    assert page.locator("#timezone").input_value() == "Asia/Kolkata"
    page.fill("#name", "Priya Sharma")
    page.fill("#email", TRAINEE)
    page.select_option("#country", "IN")
    page.fill("#organisation", "Central Board of Indirect Taxes and Customs")
    page.select_option("#language", "en")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/webinars/manage/"))
    assert "confirmed" in page.locator("main").inner_text()

    # Someone else registers (through the API): the seat is taken, they wait.
    waiting = api(live_server, "POST", f"/api/v1/webinars/{webinar_id}/registrations",
                  {"name": "Kwame Mensah", "email": NEXT_IN_LINE, "country": "GH",
                   "organisation": "Environmental Protection Agency"})
    assert (waiting["status"], waiting["position"]) == ("waitlisted", 1)

    # The confirmation carries a valid invitation and the manage link.
    messages = deliver_and_read(live_server)
    confirmation = only(messages, TRAINEE, "You are registered")
    method, calendar = invitation(confirmation)
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    uid = str(event["UID"])
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + timedelta(minutes=60)
    assert str(event["SUMMARY"]) == TITLE and str(event["URL"]) == JOIN
    assert str(event["ATTENDEE"]) == f"mailto:{TRAINEE}"
    assert event.walk("VALARM")
    body = plain(confirmation.get_body(preferencelist=("plain",)).get_content())
    assert expected in body and JOIN in body
    manage = re.search(r"https?://\S+/webinars/manage/[\w-]+", body).group(0)
    only(messages, NEXT_IN_LINE, "waiting list")

    # She cannot come after all, and cancels through the link in her e-mail.
    page.goto(live_server.url + urlsplit(manage).path)
    page.get_by_role("button", name="Cancel my registration").click()
    assert "Your registration is cancelled" in page.locator(".flashes").inner_text()
    assert "cancelled" in page.locator("main").inner_text()

    # The first on the waiting list has the seat and is told, with the invitation.
    messages = deliver_and_read(live_server)
    promoted = only(messages, NEXT_IN_LINE, "A seat is free for you")
    method, calendar = invitation(promoted)
    [event] = calendar.walk("VEVENT")
    assert method == "REQUEST" and str(event["UID"]) == uid
    assert str(event["ATTENDEE"]) == f"mailto:{NEXT_IN_LINE}"
    assert JOIN in promoted.get_body(preferencelist=("plain",)).get_content()
    method, calendar = invitation(only(messages, TRAINEE, "Registration cancelled"))
    assert method == "CANCEL" and str(calendar.walk("VEVENT")[0]["UID"]) == uid
    status = api(live_server, "GET", f"/api/v1/registrations/{waiting['manage_token']}")
    assert status["status"] == "confirmed"
