"""After the webinar: who came (checklist or the meeting service's report), the registrant
list and its CSV export, follow-up e-mails to attendees and absentees; whether a learner
attended a webinar of a course (for its completion rule).

Functions change the session and flush; the caller commits once. Every registration that
becomes attended is announced with ``elearn.signals.attendance_recorded`` after the flush,
inside the caller's transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from elearn.db import utcnow
from elearn.extensions import db
from elearn.signals import attendance_recorded
from elearn.webinars import notifications
from elearn.webinars.errors import WebinarError
from elearn.webinars.models import Registration, RegistrationStatus, Webinar

#: Header names (lower-case, letters and digits only) that hold the e-mail address.
EMAIL_HEADERS = frozenset({
    "email", "emailaddress", "mail", "courriel", "correo", "correoelectronico",
    "adressecourriel", "adresseemail", "userprincipalname", "upn",
})
#: A column saying whether the person attended (Zoom's registrant reports have one).
ATTENDED_HEADERS = frozenset({"attended", "present", "presence"})
NOT_ATTENDED = frozenset({"no", "non", "false", "0", "n", "absent"})
EMAIL_RE = re.compile(r"[^@\s<>()\[\]\"',;:]+@[^@\s<>()\[\]\"',;:]+\.[^@\s<>()\[\]\"',;:]+")
EXPORT_COLUMNS = ("name", "email", "country", "organisation", "status", "attended")


# -- the registrant list -----------------------------------------------------------------


def find_registrations(webinar: Webinar, *, status: str | None = None,
                       attended: bool | None = None, query: str = "") -> list[Registration]:
    stmt = select(Registration).where(Registration.webinar_id == webinar.id)
    if status:
        stmt = stmt.where(Registration.status == status)
    if attended is not None:
        stmt = stmt.where(Registration.attended.is_(attended))
    query = query.strip().lower()
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Registration.email.like(like),
                              func.lower(Registration.name).like(like),
                              func.lower(Registration.organisation).like(like)))
    return list(db.session.execute(
        stmt.order_by(Registration.queue_number, Registration.id)).scalars())


def _cell(value: str) -> str:
    """Keep spreadsheets from running a name such as ``=HYPERLINK(...)`` as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(registrations: list[Registration]) -> str:
    """name, email, country, organisation, status, attended — with a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in registrations:
        writer.writerow([_cell(r.name), _cell(r.email), r.country, _cell(r.organisation),
                         r.status, "yes" if r.attended else "no"])
    return "\ufeff" + out.getvalue()


# -- attendance --------------------------------------------------------------------------


def set_attendance(webinar: Webinar, shown_ids: list[int], attended_ids: set[int],
                   *, now: datetime | None = None) -> int:
    """The checklist: of the registrations shown, those ticked attended, the rest not.

    Returns how many changed.
    """
    now = now or utcnow()
    changed = 0
    came: list[Registration] = []
    for registration in db.session.execute(
        select(Registration).where(Registration.webinar_id == webinar.id,
                                   Registration.id.in_(shown_ids))
    ).scalars():
        value = registration.id in attended_ids
        if registration.attended != value:
            registration.attended = value
            registration.attendance_recorded_at = now
            changed += 1
            if value:
                came.append(registration)
    db.session.flush()
    _announce(webinar, came)
    return changed


def _announce(webinar: Webinar, registrations: list[Registration]) -> None:
    """Tell listeners (the certificates' completion rule) who has just been marked."""
    app = current_app._get_current_object()
    for registration in registrations:
        attendance_recorded.send(app, registration=registration, webinar=webinar)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if len(data) > 1 and data[1:2] == b"\x00":  # UTF-16 without its mark (Teams)
        return data.decode("utf-16-le", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


def _is_email_header(header: str) -> bool:
    name = _norm(header)
    return name in EMAIL_HEADERS or ("email" in name and len(name) <= 30)


@dataclass
class AttendanceReport:
    """What a meeting service's file says: the addresses of the people who attended."""

    emails: list[str] = field(default_factory=list)
    #: The header of the column the addresses came from ("" when guessed from values).
    column: str = ""


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]


def read_attendance_report(data: bytes) -> AttendanceReport:
    """Addresses from a CSV attendance report, whatever the meeting service.

    The e-mail column is found by its header ("Email", "E-mail", "Attendee Email",
    "Courriel"...), on whichever line it is (Teams puts a summary first); commas,
    semicolons and tabs, UTF-8 with or without BOM, UTF-16 and Windows-1252 are read.
    Rows whose "Attended" column says no are skipped. Without any such header, every
    value that looks like an e-mail address counts.
    """
    text = _decode(data).replace("\x00", "")
    best: tuple[list[list[str]], int, int] | None = None
    for delimiter in ("\t", ";", ","):
        rows = _rows(text, delimiter)
        for index, row in enumerate(rows[:60]):
            columns = [i for i, cell in enumerate(row) if _is_email_header(cell)]
            if columns and (best is None or len(row) > len(best[0][best[1]])):
                best = (rows, index, columns[0])
                break
    report = AttendanceReport()
    seen: set[str] = set()

    def add(value: str) -> None:
        match = EMAIL_RE.search(value or "")
        if match and match.group(0).lower() not in seen:
            seen.add(match.group(0).lower())
            report.emails.append(match.group(0).lower())

    if best is None:
        for row in _rows(text, ","):
            for cell in row:
                add(cell)
        return report
    rows, index, column = best
    header = rows[index]
    report.column = header[column].strip()
    attended = next((i for i, cell in enumerate(header) if _norm(cell) in ATTENDED_HEADERS),
                    None)
    for row in rows[index + 1:]:
        if column >= len(row):
            continue
        if attended is not None and attended < len(row) and \
                row[attended].strip().lower() in NOT_ATTENDED:
            continue
        add(row[column])
    return report


@dataclass
class ImportReport:
    #: Registrations now marked attended.
    marked: list[Registration] = field(default_factory=list)
    #: Already marked before this file.
    already: int = 0
    #: Addresses in the file that match no registration (walk-ins, other addresses).
    unknown: list[str] = field(default_factory=list)
    column: str = ""


def import_attendance(webinar: Webinar, data: bytes, *,
                      now: datetime | None = None) -> ImportReport:
    """Mark attended every registration whose address is in the report (others unchanged)."""
    now = now or utcnow()
    parsed = read_attendance_report(data)
    if not parsed.emails:
        raise WebinarError(
            _("No e-mail addresses were found in this file. Upload the attendance report "
              "as CSV, with a column such as “Email” or “E-mail”."),
            errors={"report": [_("No e-mail column found.")]},
        )
    by_email = {r.email: r for r in db.session.execute(
        select(Registration).where(Registration.webinar_id == webinar.id)).scalars()}
    report = ImportReport(column=parsed.column)
    for email in parsed.emails:
        registration = by_email.get(email)
        if registration is None:
            report.unknown.append(email)
        elif registration.attended:
            report.already += 1
        else:
            registration.attended = True
            registration.attendance_recorded_at = now
            report.marked.append(registration)
    db.session.flush()
    _announce(webinar, report.marked)
    return report


def attended_course_webinar(user, course_slug: str) -> bool:
    """Whether ``user`` attended a webinar linked to the course ``course_slug``.

    A registration is theirs when made with their account, or under their e-mail address
    (as a guest, or before they had an account) once they have proved they own it.
    """
    mine = Registration.user_id == user.id
    if user.email_verified_at is not None:
        mine = or_(mine, Registration.email == user.email.lower())
    return db.session.execute(
        select(Registration.id).join(Webinar)
        .where(Webinar.course_slug == course_slug, Registration.attended.is_(True), mine)
        .limit(1)
    ).first() is not None


# -- follow-up ---------------------------------------------------------------------------


def send_followup(webinar: Webinar, *, attendees: bool, message: str) -> int:
    """E-mail the attendees (thanks, recording, next steps) or the absentees (those who
    held a seat and did not come). Returns how many messages were queued."""
    if not webinar.is_over():
        raise WebinarError(_("Follow-up e-mails can be sent once the webinar is over."),
                           status=409)
    stmt = select(Registration).where(Registration.webinar_id == webinar.id)
    if attendees:
        stmt = stmt.where(Registration.attended.is_(True))
    else:
        stmt = stmt.where(Registration.attended.is_(False),
                          Registration.status == RegistrationStatus.CONFIRMED.value)
    people = list(db.session.execute(stmt.order_by(Registration.id)).scalars())
    for registration in people:
        notifications.followup(registration, attended=attendees, message=message.strip(),
                               recording_url=webinar.recording_url)
    db.session.flush()
    return len(people)
