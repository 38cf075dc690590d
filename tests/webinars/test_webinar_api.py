"""The webinar API: the same rules as the pages, JSON in and out, clear 4xx answers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from icalendar import Calendar

from elearn.db import utcnow
from tests.webinars.conftest import outbox_for

NEW = {
    "title": "Preparing for the 7th meeting of the POPRC",
    "theme": "poprc",
    "language": "en",
    "description": "How the Committee works.",
    "starts_at": "2030-10-27T15:00:00+01:00",
    "timezone": "Europe/Paris",
    "duration_minutes": 60,
    "capacity": 2,
    "join_url": "https://meet.example.org/j/poprc",
    "requires_approval": False,
    "reminder_offsets_minutes": [1440, 60, 15],
}
GUEST = {"name": "Nomvula Dlamini", "email": "Nomvula@example.org.za", "country": "ZA",
         "organisation": "Department of Environment"}


@pytest.fixture
def trainer_headers(make_user, api_token):
    return api_token(make_user(role="trainer", email="trainer@example.org"))


def _create(client, headers, **changes) -> dict:
    response = client.post("/api/v1/webinars", json=dict(NEW, **changes), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_trainer_creates_and_anyone_reads(client, db, trainer_headers):
    body = _create(client, trainer_headers)
    assert isinstance(body["id"], int)
    assert body["starts_at"] == "2030-10-27T14:00:00+00:00"
    assert body["ends_at"] == "2030-10-27T15:00:00+00:00"
    assert body["reminder_offsets_minutes"] == [1440, 60, 15]
    assert body["seats_left"] == 2 and body["status"] == "scheduled"
    assert body["join_url"] == NEW["join_url"]  # the trainer sees it
    public = client.get(f"/api/v1/webinars/{body['id']}").get_json()
    assert public["title"] == NEW["title"] and "join_url" not in public
    assert public["invite_url"].endswith(f"/webinars/{body['id']}/invite.ics")
    assert client.get("/api/v1/webinars/999").status_code == 404


def test_list_filters_by_theme_language_and_date(client, db, make_webinar):
    make_webinar(title="A", theme="nip", language="fr", starts_in=timedelta(days=3))
    make_webinar(title="B", theme="nip", language="en", starts_in=timedelta(days=40))
    make_webinar(title="C", theme="ddt", language="en", starts_in=timedelta(days=5))
    def titles(query):
        response = client.get(f"/api/v1/webinars{query}")
        assert response.status_code == 200, response.get_json()
        return [w["title"] for w in response.get_json()]

    assert titles("") == ["A", "C", "B"]
    assert titles("?theme=nip") == ["A", "B"]
    assert titles("?theme=nip&lang=en") == ["B"]
    later = (utcnow() + timedelta(days=20)).date().isoformat()
    assert titles(f"?from={later}") == ["B"]
    assert titles(f"?from={later}T00:00:00%2B02:00") == ["B"]
    for query, field in (("?lang=xx", "lang"), ("?theme=nothing", "theme"),
                         ("?from=next-week", "from")):
        response = client.get(f"/api/v1/webinars{query}")
        assert response.status_code == 422
        body = response.get_json()
        assert body["code"] == 422 and body["message"]
        assert field in str(body["errors"])


def test_bad_input_is_a_422_with_field_errors(client, db, trainer_headers):
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
        ({"starts_at": "2030-10-27T15:00:00"}, "starts_at", "offset"),
        ({"starts_at": "27/10/2030"}, "starts_at", ""),
        ({"starts_at": "2001-01-01T10:00:00+00:00"}, "starts_at", "future"),
        ({"theme": "chemistry"}, "theme", ""),
        ({"capacity": 0}, "capacity", ""),
        ({"join_url": "not a link"}, "join_url", ""),
        ({"reminder_offsets_minutes": [-5]}, "reminder_offsets_minutes", ""),
    ]
    for changes, field, words in cases:
        response = client.post("/api/v1/webinars", json=dict(NEW, **changes),
                               headers=trainer_headers)
        assert response.status_code == 422, (changes, response.get_json())
        body = response.get_json()
        errors = body["errors"]
        key = field if field in errors else {"reminder_offsets_minutes": "reminder_offsets"}.get(
            field, field)
        assert key in errors, (changes, body)
        assert words in str(errors[key]) + body["message"], (changes, body)
    response = client.post("/api/v1/webinars", json={"title": "Only a title"},
                           headers=trainer_headers)
    assert response.status_code == 422
    assert {"theme", "starts_at", "timezone", "capacity"} <= set(response.get_json()["errors"])
    assert client.get("/api/v1/webinars").get_json() == []


def test_only_trainers_create_change_and_list_registrants(client, db, make_user, api_token,
                                                          make_webinar):
    webinar = make_webinar()
    learner = api_token(make_user(role="learner"))
    assert client.post("/api/v1/webinars", json=NEW).status_code == 401
    response = client.post("/api/v1/webinars", json=NEW, headers=learner)
    assert response.status_code == 403 and response.get_json()["code"] == 403
    assert client.patch(f"/api/v1/webinars/{webinar.id}", json={"status": "cancelled"},
                        headers=learner).status_code == 403
    assert client.get(f"/api/v1/webinars/{webinar.id}/registrations",
                      headers=learner).status_code == 403
    assert not webinar.is_cancelled


def test_patch_reschedules_and_cancels(client, db, trainer_headers):
    webinar_id = _create(client, trainer_headers)["id"]
    seat = client.post(f"/api/v1/webinars/{webinar_id}/registrations", json=GUEST).get_json()
    response = client.patch(f"/api/v1/webinars/{webinar_id}", headers=trainer_headers,
                            json={"starts_at": "2030-10-28T09:00:00-04:00"})
    assert response.status_code == 200
    assert response.get_json()["starts_at"] == "2030-10-28T13:00:00+00:00"
    assert response.get_json()["sequence"] == 1
    [update] = outbox_for(db, seat["email"], "webinars/updated")
    event = Calendar.from_ical(update.attachments[0].data).walk("VEVENT")[0]
    assert event["DTSTART"].to_ical() == b"20301028T130000Z"

    response = client.patch(f"/api/v1/webinars/{webinar_id}", headers=trainer_headers,
                            json={"status": "cancelled", "cancel_message": "Sorry."})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    [cancelled] = outbox_for(db, seat["email"], "webinars/webinar_cancelled")
    assert "Sorry." in cancelled.body_text
    response = client.patch(f"/api/v1/webinars/{webinar_id}", headers=trainer_headers,
                            json={"status": "scheduled"})
    assert response.status_code == 409
    response = client.patch(f"/api/v1/webinars/{webinar_id}", headers=trainer_headers,
                            json={"capacity": 10})
    assert response.status_code == 409 and "cancelled" in response.get_json()["message"]


def test_guest_registration_waitlist_and_the_manage_token(client, db, make_webinar, smtp_server):
    webinar = make_webinar(capacity=1)
    url = f"/api/v1/webinars/{webinar.id}/registrations"
    first = client.post(url, json=GUEST)
    assert first.status_code == 201
    seat = first.get_json()
    assert seat["status"] == "confirmed" and seat["email"] == "nomvula@example.org.za"
    assert len(seat["manage_token"]) >= 32 and seat["join_url"] == webinar.join_url
    second = client.post(url, json=dict(GUEST, email="second@example.org")).get_json()
    assert (second["status"], second["position"], second["join_url"]) == ("waitlisted", 1,
                                                                         None)
    again = client.post(url, json=dict(GUEST, name="Someone Else"))
    assert again.status_code == 200
    assert again.get_json()["id"] == seat["id"] and again.get_json()["manage_token"] is None
    assert outbox_for(db, "nomvula@example.org.za", "webinars/manage_link")

    mine = client.get(f"/api/v1/registrations/{seat['manage_token']}").get_json()
    assert mine["status"] == "confirmed" and mine["webinar"]["id"] == webinar.id
    assert "join_url" not in mine["webinar"]
    response = client.delete(f"/api/v1/registrations/{seat['manage_token']}")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    promoted = client.get(f"/api/v1/registrations/{second['manage_token']}").get_json()
    assert promoted["status"] == "confirmed" and promoted["position"] is None
    assert outbox_for(db, "second@example.org", "webinars/promoted")
    assert client.get("/api/v1/registrations/nope").status_code == 404
    assert client.delete("/api/v1/registrations/nope").status_code == 404
    response = client.post(url, json=dict(GUEST, email="bad", country="XX"))
    assert response.status_code == 422
    assert {"email", "country"} <= set(response.get_json()["errors"])
    assert client.post("/api/v1/webinars/999/registrations", json=GUEST).status_code == 404


def test_token_user_registers_themselves(client, db, make_user, api_token, make_webinar):
    webinar = make_webinar(requires_approval=True)
    user = make_user(email="focal.point@example.gov", locale="ar", timezone="Asia/Amman")
    headers = api_token(user)
    url = f"/api/v1/webinars/{webinar.id}/registrations"
    response = client.post(url, json={}, headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["email"], body["language"]) == (
        "pending", "focal.point@example.gov", "ar")
    again = client.post(url, json={}, headers=headers)
    assert again.status_code == 200 and again.get_json()["manage_token"] == body["manage_token"]


def test_trainer_lists_registrants_with_filters(client, db, trainer_headers, make_webinar):
    webinar = make_webinar(capacity=1)
    url = f"/api/v1/webinars/{webinar.id}/registrations"
    for n in range(3):
        client.post(url, json=dict(GUEST, email=f"p{n}@example.org"))
    everyone = client.get(url, headers=trainer_headers).get_json()
    assert [r["status"] for r in everyone] == ["confirmed", "waitlisted", "waitlisted"]
    assert [r["position"] for r in everyone] == [None, 1, 2]
    assert {r["manage_token"] for r in everyone} == {None}  # the registrants' own
    waiting = client.get(f"{url}?status=waitlisted", headers=trainer_headers).get_json()
    assert [r["email"] for r in waiting] == ["p1@example.org", "p2@example.org"]
    assert client.get(f"{url}?status=maybe", headers=trainer_headers).status_code == 422


def test_api_registrations_share_the_pages_rate_limit(app, client, db, make_webinar):
    webinar = make_webinar(capacity=100)
    limit = int(app.config["RATELIMIT_REGISTER"].split(" ")[0])
    for n in range(limit - 1):
        assert client.post(f"/api/v1/webinars/{webinar.id}/registrations",
                           json=dict(GUEST, email=f"p{n}@example.org")).status_code == 201
    page = client.post(f"/webinars/{webinar.id}/register",
                       data=dict(GUEST, email="page@example.org", language="en",
                                 timezone="UTC"))
    assert page.status_code == 302
    response = client.post(f"/api/v1/webinars/{webinar.id}/registrations", json=GUEST)
    assert response.status_code == 429
    assert response.get_json()["code"] == 429 and response.get_json()["message"]
    # Reading is not limited.
    assert client.get(f"/api/v1/webinars/{webinar.id}").status_code == 200


def _at_once(app, n: int, make_request) -> list:
    """n requests at the same moment, each from its own client and address."""
    barrier = threading.Barrier(n)
    answers: list = [None] * n

    def run(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            response = make_request(client, i)
            answers[i] = (response.status_code, response.get_json())
        except Exception as exc:  # reported by the assertions
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_forty_clients_at_once_against_five_seats(app, client, db, make_webinar):
    webinar = make_webinar(capacity=5)
    url = f"/api/v1/webinars/{webinar.id}/registrations"

    def request(c, i):
        return c.post(url, json=dict(GUEST, email=f"person{i}@example.org"),
                      environ_base={"REMOTE_ADDR": f"10.0.{i // 200}.{i % 200 + 1}"})

    answers = _at_once(app, 40, request)
    assert all(isinstance(a, tuple) and a[0] == 201 for a in answers), answers
    statuses = [body["status"] for _, body in answers]
    assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 35
    positions = sorted(body["position"] for _, body in answers if body["status"] == "waitlisted")
    assert positions == list(range(1, 36))
    listed = client.get(f"/api/v1/webinars/{webinar.id}").get_json()
    assert (listed["seats_left"], listed["waitlisted"]) == (0, 35)
    assert len({body["manage_token"] for _, body in answers}) == 40


def test_one_address_from_many_clients_at_once_is_one_registration(app, db, make_webinar):
    webinar = make_webinar(capacity=5)
    url = f"/api/v1/webinars/{webinar.id}/registrations"

    def request(c, i):
        return c.post(url, json=GUEST, environ_base={"REMOTE_ADDR": f"10.9.0.{i + 1}"})

    answers = _at_once(app, 15, request)
    assert all(isinstance(a, tuple) for a in answers), answers
    assert sorted(code for code, _ in answers) == [200] * 14 + [201]
    assert len({body["id"] for _, body in answers}) == 1


def test_openapi_documents_the_webinar_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/webinars", "/api/v1/webinars/{webinar_id}",
                 "/api/v1/webinars/{webinar_id}/registrations",
                 "/api/v1/registrations/{token}"):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/webinars"])
    assert {"get", "delete"} <= set(paths["/api/v1/registrations/{token}"])
