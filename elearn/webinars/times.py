"""Time zones for webinars: local input to UTC, and UTC to words in any zone and language.

Times are stored in UTC. A trainer enters a start as a date and a time in a zone they
choose; people read it in their own zone with the webinar's zone and UTC beside it.
Formatting takes the zone and the language explicitly (e-mails are written for their
recipient, not for the request that caused them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format

from elearn.i18n import is_timezone


class LocalTimeError(ValueError):
    """A local time that cannot be turned into one instant."""


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of ``day`` ``at`` on the clocks of ``zone``.

    A time skipped by a daylight-saving change does not exist and is refused. A time
    that happens twice (clocks going back) is read as its first occurrence.
    """
    if not is_timezone(zone):
        raise LocalTimeError(f"unknown time zone {zone!r}")
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(f"{local:%Y-%m-%d %H:%M} does not exist in {zone}")
    return instant


def utc_to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone if is_timezone(zone) else "UTC"))


def utc_offset(moment: datetime, zone: str) -> str:
    """``UTC+01:00`` / ``UTC−03:30`` / ``UTC`` for ``zone`` at ``moment``."""
    offset = utc_to_local(moment, zone).utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@lru_cache(maxsize=8192)
def format_when(moment: datetime, zone: str, locale: str, *, with_date: bool = True) -> str:
    """``Sunday 27 October 2030, 15:00`` in ``locale``'s words, on ``zone``'s clocks.

    Kept per process (a pure function of its arguments): Babel's formatting was a third
    of the webinar list's time, 45 readings per page.
    """
    local = utc_to_local(moment, zone)
    clock = format_time(local, "short", locale=locale)
    if not with_date:
        return clock
    day = format_date(local, "full", locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace("{0}", clock).replace("{1}", day)


@dataclass(frozen=True)
class ZonedTime:
    """One way of reading a moment: the zone's name, its offset then, and the words."""

    zone: str
    offset: str
    text: str

    @property
    def label(self) -> str:
        name = self.zone.replace("_", " ")
        return name if self.zone == "UTC" else f"{name} ({self.offset})"


def readings(moment: datetime, zones: list[str], locale: str) -> list[ZonedTime]:
    """``moment`` read in each of ``zones`` (duplicates dropped, order kept)."""
    seen: list[str] = []
    for zone in zones:
        zone = zone if is_timezone(zone) else "UTC"
        if zone not in seen:
            seen.append(zone)
    return [ZonedTime(zone, utc_offset(moment, zone), format_when(moment, zone, locale))
            for zone in seen]


def webinar_readings(webinar, viewer_zone: str, locale: str) -> list[ZonedTime]:
    """The viewer's zone first, then the webinar's own, then UTC."""
    return readings(webinar.starts_at, [viewer_zone, webinar.timezone, "UTC"], locale)
