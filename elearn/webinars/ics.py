"""Calendar files (RFC 5545) and the iTIP messages in e-mails (RFC 5546).

* One VEVENT per webinar, its UID fixed at creation: every invitation, update and
  cancellation for a webinar is the same event to a calendar.
* SEQUENCE is the webinar's counter, raised on every change a calendar must learn about,
  so an update always outranks what a calendar holds.
* DTSTART/DTEND are in UTC (``...Z``): no VTIMEZONE to get wrong; calendars show the
  reader's own zone.
* METHOD:REQUEST (an invitation naming the registrant as ATTENDEE) when a seat is
  confirmed or the webinar changes, METHOD:CANCEL when it is cancelled or the seat is
  given up, METHOD:PUBLISH for the public download and the per-theme feeds.
* In a registrant's invitation the join link is the URL and the LOCATION, and is
  written in the DESCRIPTION too. Public calendars (the download and the feeds) give
  the webinar's page instead: the link to join is for the people holding a seat.
  A VALARM pops up a quarter of an hour before the start.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress

from elearn.accounts.services import external_url
from elearn.db import utcnow
from elearn.webinars.models import Registration, Webinar
from elearn.webinars.themes import theme_label

PRODID = "-//Stockholm Convention//elearn webinars//EN"
#: The calendar's own alarm, before the start (e-mail reminders come on their own).
ALARM_BEFORE = timedelta(minutes=15)
#: How often a subscribed feed should be fetched again.
FEED_REFRESH = timedelta(hours=6)

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _calendar(method: str, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", FEED_REFRESH)
    return calendar


def _organizer() -> vCalAddress:
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    organizer = vCalAddress(f"mailto:{address or 'no-reply@elearn.invalid'}")
    organizer.params["CN"] = name or "elearn"
    return organizer


def _description(webinar: Webinar, registration: Registration | None) -> str:
    lines = [webinar.description.strip(), ""] if webinar.description.strip() else []
    page = external_url(f"/webinars/{webinar.id}")
    if registration is None:
        lines.append(_("Register on the webinar's page: %(url)s", url=page))
        return "\n".join(lines)
    lines.append(_("Join the webinar: %(url)s", url=webinar.join_url))
    lines.append(_("Webinar page: %(url)s", url=page))
    lines.append(_("Your registration: %(url)s",
                   url=external_url(f"/webinars/manage/{registration.manage_token}")))
    return "\n".join(lines)


def _event(webinar: Webinar, *, registration: Registration | None, cancelled: bool,
           now: datetime) -> Event:
    event = Event()
    event.add("uid", webinar.uid)
    event.add("sequence", webinar.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", webinar.starts_at.astimezone(UTC))
    event.add("dtend", webinar.ends_at.astimezone(UTC))
    event.add("summary", webinar.title)
    event.add("description", _description(webinar, registration))
    link = webinar.join_url if registration is not None else \
        external_url(f"/webinars/{webinar.id}")
    event.add("url", link)
    event.add("location", link)
    event.add("categories", [theme_label(webinar.theme)])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer())
    if registration is not None:
        attendee = vCalAddress(f"mailto:{registration.email}")
        attendee.params.update({
            "CN": registration.name,
            "CUTYPE": "INDIVIDUAL",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "DECLINED" if cancelled else "ACCEPTED",
            "RSVP": "FALSE",
        })
        event.add("attendee", attendee)
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", webinar.title)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    return event


def invitation(webinar: Webinar, registration: Registration | None = None, *,
               method: str = REQUEST, language: str | None = None,
               now: datetime | None = None) -> bytes:
    """The .ics for one webinar: REQUEST/CANCEL for a registrant, PUBLISH for anyone."""
    language = language or (registration.language if registration else "en")
    cancelled = method == CANCEL or webinar.is_cancelled
    with force_locale(language):
        calendar = _calendar(method)
        calendar.add_component(_event(webinar, registration=registration,
                                      cancelled=cancelled, now=now or utcnow()))
    return calendar.to_ical()


def feed(webinars: list[Webinar], *, name: str, language: str = "en",
         now: datetime | None = None) -> bytes:
    """A subscribable calendar of ``webinars`` (cancelled ones marked CANCELLED)."""
    now = now or utcnow()
    with force_locale(language):
        calendar = _calendar(PUBLISH, name=name)
        for webinar in webinars:
            calendar.add_component(_event(webinar, registration=None,
                                          cancelled=webinar.is_cancelled, now=now))
    return calendar.to_ical()
