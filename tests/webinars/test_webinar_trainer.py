"""Trainer pages: permissions, creating and rescheduling in a chosen zone, cancelling,
the registrant list with filters, decisions, CSV export, attendance and follow-up."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from elearn.webinars.attendance import read_attendance_report
from elearn.webinars.models import Registration, Webinar
from elearn.webinars.registrations import register
from tests.webinars.conftest import outbox_for

FORM = {
    "title": "Briefing on the outcomes of the 7th meeting of the POPRC",
    "theme": "poprc",
    "language": "en",
    "description": "What the **Committee** decided.",
    "start_date": "2030-10-27",
    "start_time": "15:00",
    "timezone": "Europe/Paris",
    "duration_minutes": "90",
    "capacity": "2",
    "join_url": "https://meet.example.org/j/poprc-7",
    "reminders": "2d, 3h, 45m",
}


@pytest.fixture
def trainer(client, make_user, login):
    user = make_user(role="trainer", email="trainer@example.org")
    login(user)
    return user


def test_only_trainers_manage_webinars(client, db, make_user, login, make_webinar):
    webinar = make_webinar()
    pages = ["/webinars/new", f"/webinars/{webinar.id}/edit",
             f"/webinars/{webinar.id}/registrants", f"/webinars/{webinar.id}/registrants.csv",
             f"/webinars/{webinar.id}/followup"]
    for path in pages:
        assert client.get(path).status_code == 302  # to the login page
    login(make_user(role="learner"))
    for path in pages:
        response = client.get(path)
        assert response.status_code == 403 and "permission" in response.get_data(as_text=True)
    assert client.post("/webinars/new", data=FORM).status_code == 403
    assert client.post(f"/webinars/{webinar.id}/cancel").status_code == 403
    assert db.session.execute(select(Webinar)).scalars().all() == [webinar]
    assert "New webinar" not in client.get("/webinars/").get_data(as_text=True)


def test_trainer_creates_a_webinar_in_a_chosen_zone(client, db, trainer):
    assert client.get("/webinars/new").status_code == 200
    response = client.post("/webinars/new", data=FORM)
    assert response.status_code == 302
    webinar = db.session.execute(select(Webinar)).scalar_one()
    assert response.headers["Location"] == f"/webinars/{webinar.id}"
    # 15:00 in Paris on the day summer time ends there is 14:00 UTC.
    assert webinar.starts_at == datetime(2030, 10, 27, 14, 0, tzinfo=UTC)
    assert webinar.ends_at == datetime(2030, 10, 27, 15, 30, tzinfo=UTC)
    assert webinar.timezone == "Europe/Paris"
    assert webinar.reminder_offsets == [2880, 180, 45]
    assert webinar.description_html == "<p>What the <strong>Committee</strong> decided.</p>"
    assert webinar.created_by_id == trainer.id and webinar.sequence == 0
    assert webinar.uid.startswith("webinar-") and webinar.uid.endswith("@elearn.test")
    edit = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert 'value="2030-10-27"' in edit and 'value="15:00"' in edit
    assert 'value="2d, 3h, 45m"' in edit


def test_times_that_do_not_exist_and_bad_input_are_form_errors(client, db, trainer):
    cases = [
        ({"start_date": "2030-03-31", "start_time": "02:30"}, "does not exist"),
        ({"reminders": "tomorrow"}, "number followed by d"),
        ({"start_date": "2020-01-01"}, "must be in the future"),
        ({"join_url": "meet-me-somewhere"}, "web address"),
        ({"capacity": "0"}, "Number must be"),
    ]
    for changes, message in cases:
        response = client.post("/webinars/new", data=dict(FORM, **changes))
        assert response.status_code == 422, changes
        html = response.get_data(as_text=True)
        assert message in html and 'aria-invalid="true"' in html, changes
    assert db.session.execute(select(Webinar)).first() is None


def test_rescheduling_through_the_edit_page_tells_seat_holders(client, db, trainer,
                                                               make_webinar, guest):
    webinar = make_webinar(capacity=1)
    seat = register(webinar.id, **guest(1)).registration
    waiting = register(webinar.id, **guest(2)).registration
    db.session.commit()
    page = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert "Cancel this webinar" in page
    data = dict(FORM, start_date="2030-11-10", start_time="09:30", timezone="Africa/Nairobi",
                capacity="1", title=webinar.title, theme=webinar.theme)
    response = client.post(f"/webinars/{webinar.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(webinar)
    assert webinar.starts_at == datetime(2030, 11, 10, 6, 30, tzinfo=UTC)
    assert webinar.sequence == 1
    assert outbox_for(db, seat.email, "webinars/updated")
    assert not outbox_for(db, waiting.email, "webinars/updated")
    # Lowering the capacity under the seats taken is refused next to the field.
    response = client.post(f"/webinars/{webinar.id}/edit", data=dict(data, capacity="0"))
    assert response.status_code == 422


def _as_filled(app, webinar) -> dict:
    """What a browser sends back from the edit form as the page filled it in."""
    from elearn.webinars.trainer_forms import WebinarForm

    with app.test_request_context():
        form = WebinarForm(meta={"csrf": False})
        form.fill_from(webinar)
        values = {}
        for f in form:
            if f.type == "BooleanField":
                if f.data:
                    values[f.name] = "y"
            else:
                values[f.name] = f.data if f.type == "SelectField" else f._value()
        return values


def test_the_recording_is_added_after_the_webinar(app, client, db, trainer, make_webinar,
                                                  move_to_past):
    webinar = make_webinar(starts_in=timedelta(days=1, seconds=37))
    move_to_past(webinar)
    form = _as_filled(app, webinar)
    assert 'value="{}"'.format(form["start_time"]) in client.get(
        f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    form["recording_url"] = "https://video.example.org/article-15"
    response = client.post(f"/webinars/{webinar.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(webinar)
    assert webinar.recording_url == "https://video.example.org/article-15"
    assert webinar.sequence == 0  # nothing a calendar needs to know
    assert "Watch the recording" in client.get(f"/webinars/{webinar.id}").get_data(
        as_text=True)


def test_cancelling_from_the_edit_page(client, db, trainer, make_webinar, guest):
    webinar = make_webinar()
    register(webinar.id, **guest(1))
    db.session.commit()
    response = client.post(f"/webinars/{webinar.id}/cancel",
                           data={"message": "The room is flooded."})
    assert response.status_code == 302
    db.session.refresh(webinar)
    assert webinar.is_cancelled
    [mail] = outbox_for(db, "guest1@example.org", "webinars/webinar_cancelled")
    assert "The room is flooded." in mail.body_text
    assert "can no longer be changed" in client.get(
        f"/webinars/{webinar.id}/edit").get_data(as_text=True)


def _people(db, webinar, guest, n: int, **extra) -> list[Registration]:
    people = [register(webinar.id, **guest(i, **extra)).registration for i in range(1, n + 1)]
    db.session.commit()
    return people


def test_registrant_list_filters_and_bulk_decisions(client, db, trainer, make_webinar, guest):
    webinar = make_webinar(capacity=1, requires_approval=True)
    people = _people(db, webinar, guest, 4)
    page = client.get(f"/webinars/{webinar.id}/registrants").get_data(as_text=True)
    assert "0 of 1 seats taken" in page and "4 waiting for approval" in page
    response = client.post(f"/webinars/{webinar.id}/registrants/decide", data={
        "registration": [people[0].id, people[1].id], "action": "approve",
        "message": "See you there.",
        "back": f"/webinars/{webinar.id}/registrants?status=pending"})
    assert response.headers["Location"] == f"/webinars/{webinar.id}/registrants?status=pending"
    client.post(f"/webinars/{webinar.id}/registrants/decide", data={
        "registration": [people[3].id], "action": "decline", "message": "Full, sorry."})
    db.session.expire_all()
    statuses = [db.session.get(Registration, p.id).status for p in people]
    assert statuses == ["confirmed", "waitlisted", "pending", "declined"]
    [mail] = outbox_for(db, people[3].email, "webinars/declined")
    assert "Full, sorry." in mail.body_text

    pending = client.get(f"/webinars/{webinar.id}/registrants?status=pending").get_data(
        as_text=True)
    assert people[2].email in pending and people[0].email not in pending
    found = client.get(f"/webinars/{webinar.id}/registrants?q=GUEST2").get_data(as_text=True)
    assert people[1].email in found and people[2].email not in found
    # An open redirect through "back" is not possible.
    response = client.post(f"/webinars/{webinar.id}/registrants/decide", data={
        "registration": [people[2].id], "action": "approve", "back": "https://evil.example/"})
    assert response.headers["Location"] == f"/webinars/{webinar.id}/registrants"


def test_csv_export_has_the_columns_a_report_needs(client, db, trainer, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    _people(db, webinar, guest, 2)
    register(webinar.id, **guest(3, name="=HYPERLINK(\"http://evil\")", organisation="Café"))
    db.session.commit()
    response = client.get(f"/webinars/{webinar.id}/registrants.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "email", "country", "organisation", "status", "attended"]
    assert rows[1] == ["Guest 1", "guest1@example.org", "SN", "Direction de l'environnement",
                       "confirmed", "no"]
    assert rows[2][4] == "waitlisted"
    assert rows[3][0].startswith("'=") and rows[3][3] == "Café"
    filtered = client.get(f"/webinars/{webinar.id}/registrants.csv?status=waitlisted")
    assert len(list(csv.reader(io.StringIO(filtered.data.decode("utf-8-sig"))))) == 3


def test_attendance_checklist(client, db, trainer, make_webinar, guest):
    webinar = make_webinar()
    people = _people(db, webinar, guest, 3)
    ids = [p.id for p in people]
    client.post(f"/webinars/{webinar.id}/attendance",
                data={"shown": ids, "attended": [ids[0], ids[2]]})
    db.session.expire_all()
    assert [db.session.get(Registration, i).attended for i in ids] == [True, False, True]
    # Only the people shown (the filtered list) change.
    client.post(f"/webinars/{webinar.id}/attendance", data={"shown": [ids[0]]})
    db.session.expire_all()
    assert [db.session.get(Registration, i).attended for i in ids] == [False, False, True]
    csv_text = client.get(f"/webinars/{webinar.id}/registrants.csv").data.decode("utf-8-sig")
    assert [row[5] for row in csv.reader(io.StringIO(csv_text))][1:] == ["no", "no", "yes"]


ZOOM = ("\ufeffAttendee Report,\r\nReport Generated:,2030-10-27\r\n\r\n"
        "Attendee Details,\r\nAttended,User Name (Original Name),First Name,Last Name,"
        "Email,Registration Time\r\n"
        "Yes,G1,Guest,One,GUEST1@example.org,2030-10-20\r\n"
        "No,G2,Guest,Two,guest2@example.org,2030-10-20\r\n"
        "Yes,Walk-in,Walk,In,walk.in@example.org,\r\n").encode("utf-8")
TEAMS = ("1. Summary\nMeeting title\tBriefing\nAttended participants\t2\n\n"
         "2. Participants\nName\tFirst Join\tLast Leave\tEmail\tRole\n"
         "Guest Three\t10/27/30, 3:00 PM\t10/27/30, 4:30 PM\tguest3@example.org\tAttendee\n"
         ).encode("utf-16")
SEMICOLONS = "Nom;E-mail;Durée\nInvité 1;guest1@example.org;45\n".encode("cp1252")
ANGLE = b"Participant,Attendee Email\r\nGuest Two,Guest Two <guest2@example.org>\r\n"


@pytest.mark.parametrize(("data", "column", "emails"), [
    (ZOOM, "Email", ["guest1@example.org", "walk.in@example.org"]),
    (TEAMS, "Email", ["guest3@example.org"]),
    (SEMICOLONS, "E-mail", ["guest1@example.org"]),
    (ANGLE, "Attendee Email", ["guest2@example.org"]),
    (b"guest1@example.org\nguest2@example.org\n", "", ["guest1@example.org",
                                                      "guest2@example.org"]),
])
def test_attendance_reports_of_meeting_services_are_read(data, column, emails):
    report = read_attendance_report(data)
    assert (report.column, report.emails) == (column, emails)


def test_uploading_the_attendance_report(client, db, trainer, make_webinar, guest):
    webinar = make_webinar()
    people = _people(db, webinar, guest, 3)
    response = client.post(f"/webinars/{webinar.id}/attendance/upload",
                           data={"report": (io.BytesIO(ZOOM), "attendees.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 person marked as attended." in page
    assert "Not registered for this webinar: walk.in@example.org" in page
    db.session.expire_all()
    assert [db.session.get(Registration, p.id).attended for p in people] == [True, False, False]
    response = client.post(f"/webinars/{webinar.id}/attendance/upload",
                           data={"report": (io.BytesIO(b"Name,Duration\nA,45\n"), "x.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "No e-mail addresses were found" in response.get_data(as_text=True)
    response = client.post(f"/webinars/{webinar.id}/attendance/upload",
                           data={"report": (io.BytesIO(b"%PDF"), "report.pdf")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Upload a .csv file." in response.get_data(as_text=True)


def test_follow_up_to_attendees_and_absentees(client, db, trainer, make_webinar, guest,
                                              move_to_past):
    webinar = make_webinar(capacity=2, recording_url="https://video.example.org/r/1")
    came, missed, waited = _people(db, webinar, guest, 3)
    response = client.post(f"/webinars/{webinar.id}/followup",
                           data={"audience": "attendees", "message": "Slides attached."},
                           follow_redirects=True)
    assert "once the webinar is over" in response.get_data(as_text=True)
    move_to_past(webinar)
    client.post(f"/webinars/{webinar.id}/attendance", data={"shown": [came.id, missed.id],
                                                            "attended": [came.id]})
    client.post(f"/webinars/{webinar.id}/followup",
                data={"audience": "attendees", "message": "Next: the NIP webinar."})
    client.post(f"/webinars/{webinar.id}/followup",
                data={"audience": "absentees", "message": "Here is what you missed."})
    [thanks] = outbox_for(db, came.email, "webinars/followup")
    assert "Thank you for attending" in thanks.subject
    assert "Next: the NIP webinar." in thanks.body_text
    assert "https://video.example.org/r/1" in thanks.body_text
    [sorry] = outbox_for(db, missed.email, "webinars/followup")
    assert "Sorry we missed you" in sorry.subject and "Here is what you missed." in \
        sorry.body_text
    assert outbox_for(db, waited.email, "webinars/followup") == []  # never had a seat


def test_trainer_sees_management_links(client, db, trainer, make_webinar):
    webinar = make_webinar(starts_in=timedelta(days=3))
    assert "New webinar" in client.get("/webinars/").get_data(as_text=True)
    page = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert f"/webinars/{webinar.id}/edit" in page and f"/webinars/{webinar.id}/registrants" \
        in page
