"""Calendar invitations, parsed back with icalendar and checked field by field as a
webinar is created, rescheduled and cancelled; time zones across a daylight-saving
change; the e-mails that carry them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar

from elearn.mail.delivery import deliver_due
from elearn.webinars import ics
from elearn.webinars.registrations import cancel_registration, register
from elearn.webinars.services import cancel_webinar, update_webinar
from elearn.webinars.times import LocalTimeError, local_to_utc, readings
from tests.conftest import mail_body
from tests.webinars.conftest import outbox_for

JOIN = "https://meet.example.org/j/article-15"


def plain(text: str) -> str:
    """CLDR puts narrow no-break spaces in times ("10:00\u202fAM"); compare with spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _calendar(message) -> Calendar:
    [attachment] = message.attachments
    return Calendar.from_ical(attachment.data)


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def _check_request(calendar, webinar, registration, sequence: int) -> None:
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "elearn" in str(calendar["PRODID"])
    event = _event(calendar)
    assert str(event["UID"]) == webinar.uid
    assert int(event["SEQUENCE"]) == sequence
    for name, expected in (("DTSTART", webinar.starts_at), ("DTEND", webinar.ends_at)):
        assert event[name].to_ical().endswith(b"Z"), "times are written in UTC"
        assert event.decoded(name) == expected.astimezone(UTC)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert str(event["SUMMARY"]) == webinar.title
    assert str(event["URL"]) == webinar.join_url
    assert str(event["LOCATION"]) == webinar.join_url
    assert webinar.join_url in str(event["DESCRIPTION"])
    assert registration.manage_token in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{registration.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["CN"] == registration.name
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=15)


def test_invitation_across_create_reschedule_and_cancel(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    uid = webinar.uid
    seat = register(webinar.id, **guest(1)).registration
    waiting = register(webinar.id, **guest(2)).registration
    db.session.commit()

    [confirmation] = outbox_for(db, seat.email, "webinars/confirmed")
    [attachment] = confirmation.attachments
    assert attachment.content_type == "text/calendar; method=REQUEST"
    assert attachment.filename == "invite.ics"
    _check_request(_calendar(confirmation), webinar, seat, sequence=0)
    [waitlisted] = outbox_for(db, waiting.email, "webinars/waitlisted")
    assert waitlisted.attachments == []  # no seat, no invitation

    new_start = webinar.starts_at + timedelta(days=1, hours=2)
    report = update_webinar(webinar, starts_at=new_start, duration_minutes=60)
    db.session.commit()
    assert report.rescheduled
    [update] = outbox_for(db, seat.email, "webinars/updated")
    calendar = _calendar(update)
    _check_request(calendar, webinar, seat, sequence=1)
    assert str(_event(calendar)["UID"]) == uid
    assert _event(calendar).decoded("DTSTART") == new_start
    assert _event(calendar).decoded("DTEND") == new_start + timedelta(minutes=60)
    assert not outbox_for(db, waiting.email, "webinars/updated")

    # A change of words only: the calendar learns it (SEQUENCE), nobody is e-mailed.
    update_webinar(webinar, description="New agenda.")
    db.session.commit()
    assert webinar.sequence == 2
    assert len(outbox_for(db, seat.email, "webinars/updated")) == 1

    cancel_webinar(webinar, message="Postponed to next year.")
    db.session.commit()
    [cancellation] = outbox_for(db, seat.email, "webinars/webinar_cancelled")
    assert cancellation.attachments[0].content_type == "text/calendar; method=CANCEL"
    calendar = _calendar(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 3
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("DTSTART") == new_start
    assert event.walk("VALARM") == []
    [told] = outbox_for(db, waiting.email, "webinars/webinar_cancelled")
    assert told.attachments == []


def test_giving_up_a_seat_sends_a_cancel_that_outranks_the_invitation(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    seat = register(webinar.id, **guest(1)).registration
    waiting = register(webinar.id, **guest(2)).registration
    db.session.commit()
    cancel_registration(seat)
    db.session.commit()
    [cancelled] = outbox_for(db, seat.email, "webinars/registration_cancelled")
    calendar = _calendar(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _event(calendar)
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == webinar.uid
    assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    # The promoted person's invitation carries the same UID and the current SEQUENCE.
    [promoted] = outbox_for(db, waiting.email, "webinars/promoted")
    _check_request(_calendar(promoted), webinar, waiting, sequence=1)


def test_public_download_and_feed_publish_without_attendees(db, make_webinar):
    first = make_webinar(title="First")
    second = make_webinar(title="Second", starts_in=timedelta(days=9))
    cancel_webinar(second)
    db.session.commit()
    calendar = Calendar.from_ical(ics.invitation(first, method=ics.PUBLISH))
    assert str(calendar["METHOD"]) == "PUBLISH"
    event = _event(calendar)
    assert "ATTENDEE" not in event
    # The link to join is for seat holders: public calendars point to the page.
    assert str(event["URL"]) == f"http://elearn.test/webinars/{first.id}"
    assert JOIN not in event.to_ical().decode()
    feed = Calendar.from_ical(ics.feed([first, second], name="Reporting"))
    assert str(feed["X-WR-CALNAME"]) == "Reporting"
    events = {str(e["SUMMARY"]): e for e in feed.walk("VEVENT")}
    assert str(events["First"]["STATUS"]) == "CONFIRMED"
    assert str(events["Second"]["STATUS"]) == "CANCELLED"


def test_invitation_travels_by_smtp_as_text_calendar(db, make_webinar, guest, smtp_server):
    webinar = make_webinar()
    register(webinar.id, **guest(1))
    db.session.commit()
    deliver_due()
    [message] = [m for m in smtp_server.to("guest1@example.org")
                 if "registered" in m["Subject"]]
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    event = _event(Calendar.from_ical(part.get_content()))
    assert str(event["UID"]) == webinar.uid
    assert JOIN in mail_body(message)


# -- time zones --------------------------------------------------------------------------


def test_local_times_become_utc_across_a_daylight_saving_change():
    # Europe leaves summer time on the last Sunday of October, the United States a week
    # later: for that week Paris is five hours ahead of New York instead of six.
    before = local_to_utc(date(2030, 10, 20), time(15, 0), "Europe/Paris")
    during = local_to_utc(date(2030, 10, 27), time(15, 0), "Europe/Paris")
    after = local_to_utc(date(2030, 11, 10), time(15, 0), "Europe/Paris")
    assert before == datetime(2030, 10, 20, 13, 0, tzinfo=UTC)
    assert during == datetime(2030, 10, 27, 14, 0, tzinfo=UTC)
    assert after == datetime(2030, 11, 10, 14, 0, tzinfo=UTC)
    new_york = [readings(m, ["America/New_York"], "en")[0] for m in (before, during, after)]
    assert [plain(r.text).rsplit(", ", 1)[1] for r in new_york] == [
        "9:00 AM", "10:00 AM", "9:00 AM"]
    assert [r.offset for r in new_york] == ["UTC-04:00", "UTC-04:00", "UTC-05:00"]
    # 02:30 happens twice that night in Paris: the first (summer-time) one is meant.
    assert local_to_utc(date(2030, 10, 27), time(2, 30), "Europe/Paris") == datetime(
        2030, 10, 27, 0, 30, tzinfo=UTC)
    # ... and never on the last Sunday of March.
    with pytest.raises(LocalTimeError):
        local_to_utc(date(2030, 3, 31), time(2, 30), "Europe/Paris")


def test_mail_shows_the_registrants_zone_the_webinars_and_utc(db, make_webinar, guest):
    starts = local_to_utc(date(2030, 10, 27), time(15, 0), "Europe/Paris")
    webinar = make_webinar(starts_at=starts, timezone="Europe/Paris")
    register(webinar.id, **guest(1, timezone="America/New_York"))
    register(webinar.id, **guest(2, language="fr", timezone="America/New_York"))
    db.session.commit()
    [english] = outbox_for(db, "guest1@example.org", "webinars/confirmed")
    text = plain(english.body_text)
    assert "Sunday, October 27, 2030, 10:00 AM — America/New York (UTC-04:00)" in text
    assert "Sunday, October 27, 2030, 3:00 PM — Europe/Paris (UTC+01:00)" in text
    assert "Sunday, October 27, 2030, 2:00 PM — UTC" in text
    assert JOIN in english.body_text and "/webinars/manage/" in english.body_text
    [french] = outbox_for(db, "guest2@example.org", "webinars/confirmed")
    assert french.language == "fr" and 'lang="fr"' in french.body_html
    assert "dimanche 27 octobre 2030, 10:00" in plain(french.body_text)
    assert "dimanche 27 octobre 2030, 15:00" in plain(french.body_text)
