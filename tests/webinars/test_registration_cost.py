"""What one registration costs the database, and the shortcuts that keep it small.

A popular webinar opens and thousands register at once: every statement of a registration
is paid thousands of times, and those under the webinar's lock are paid one registrant
after another. These tests pin the statements down (like Django's ``assertNumQueries``),
so a change that adds a query to the path, or reads the answer back after the commit,
shows up here rather than in the benchmark.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from elearn.mail.models import OutboxMessage
from elearn.webinars import registrations
from elearn.webinars.models import Registration, Webinar
from tests.conftest import statements
from tests.webinars.conftest import outbox_for

GUEST = {"name": "Amina Diallo", "country": "SN", "organisation": "Douanes",
         "language": "fr", "timezone": "Africa/Dakar"}


def _register(client, webinar, n):
    response = client.post(f"/api/v1/webinars/{webinar.id}/registrations",
                           json=dict(GUEST, email=f"amina{n}@example.sn"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_guest_registration_is_a_dozen_statements_whatever_came_before(
        client, db, make_webinar):
    postgres = db.engine.dialect.name == "postgresql"
    webinar = make_webinar(capacity=3)
    _register(client, webinar, 0)  # first use of the app: its caches fill here
    counts = []
    for n in range(1, 6):  # two seats, then the waitlist
        with statements(db) as sent:
            answer = _register(client, webinar, n)
        # After the commit (which releases the webinar's lock) the answer counts the seats
        # (the waitlist place was counted under the lock): nothing else is read again.
        after = sent[sent.index("COMMIT") + 1:]
        assert len(after) == 1 and "GROUP BY" in after[0], after
        webinar_updates = [s for s in sent if s.startswith("UPDATE webinars")]
        assert len(webinar_updates) == 1, webinar_updates  # the lock, and nothing more
        outbox_inserts = [s for s in sent if s.startswith("INSERT INTO outbox ")]
        # All its messages in one statement where the driver can say which row got which
        # id (psycopg); SQLite's rows go one by one, at no round trip's cost.
        assert len(outbox_inserts) == (1 if postgres else 3 if n < 3 else 1), outbox_inserts
        registration_reads = [s for s in sent if s.startswith("SELECT webinar_registrations.id,")
                              and "count(" not in s]
        assert registration_reads == []  # a new address is inserted, not looked up first
        counts.append(len(sent))
        assert answer["status"] == ("confirmed" if n < 3 else "waitlisted")
    assert max(counts) <= (14 if postgres else 15), counts
    assert len(set(counts[:2])) == len(set(counts[2:])) == 1, counts  # nothing grows


def test_the_answer_kept_from_the_transaction_is_what_was_committed(client, db, make_webinar):
    webinar = make_webinar(capacity=1)
    seat = _register(client, webinar, 1)
    queued = _register(client, webinar, 2)
    assert (seat["status"], seat["webinar"]["seats_left"], seat["webinar"]["waitlisted"]) == \
        ("confirmed", 0, 0)
    assert (queued["status"], queued["position"], queued["webinar"]["waitlisted"]) == \
        ("waitlisted", 1, 1)
    db.session.expire_all()
    stored = db.session.get(Registration, queued["id"])
    assert stored.status == "waitlisted" and stored.manage_token == queued["manage_token"]
    assert stored.created_at.isoformat()[:19] == queued["created_at"][:19]


def test_reminders_are_rendered_once_but_sent_and_cancelled_one_by_one(db, make_webinar,
                                                                      guest):
    from elearn.webinars import notifications

    webinar = make_webinar(reminder_offsets=[1440, 60, 15])
    result = registrations.register(webinar.id, **guest(1))
    db.session.commit()
    reminders = outbox_for(db, "guest1@example.org", "webinars/reminder")
    assert len(reminders) == 3
    assert len({(m.subject, m.body_text, m.body_html) for m in reminders}) == 1
    assert len({m.message_id for m in reminders}) == 3
    assert [m.reference for m in reminders] == [
        notifications.reminder_reference(result.registration, offset)
        for offset in (1440, 60, 15)]
    # Each expires when the next falls due, the last when the webinar starts.
    assert [m.expires_at for m in reminders] == [
        reminders[1].send_after, reminders[2].send_after, webinar.starts_at]

    registrations.cancel_registration(result.registration)
    db.session.commit()
    db.session.expire_all()
    assert {m.status for m in outbox_for(db, "guest1@example.org", "webinars/reminder")} == \
        {"cancelled"}


def test_arrival_numbers_stay_unique_and_in_order_with_one_update_per_lock(
        db, make_webinar, guest):
    webinar = make_webinar(capacity=1, requires_approval=True)
    people = [registrations.register(webinar.id, **guest(n)).registration for n in range(1, 5)]
    db.session.commit()
    # Approving three at once under one lock: one seat, then the waitlist, in order.
    report = registrations.decide(webinar, [p.id for p in people[:3]], approve=True)
    db.session.commit()
    assert [r.email for r in report.confirmed] == ["guest1@example.org"]
    assert [r.email for r in report.waitlisted] == ["guest2@example.org", "guest3@example.org"]
    numbers = list(db.session.execute(
        select(Registration.email, Registration.queue_number)
        .where(Registration.webinar_id == webinar.id)
        .order_by(Registration.queue_number)).all())
    assert len({number for _email, number in numbers}) == 4
    waitlist = [email for email, _n in numbers
                if email in ("guest2@example.org", "guest3@example.org")]
    assert waitlist == ["guest2@example.org", "guest3@example.org"]
    # A later arrival comes after every number already given.
    late = registrations.register(webinar.id, **guest(9)).registration
    db.session.commit()
    assert late.queue_number > max(number for _email, number in numbers)
    counter = db.session.execute(select(Webinar.registration_counter)
                                 .where(Webinar.id == webinar.id)).scalar_one()
    assert late.queue_number == counter


@pytest.mark.parametrize("again", ["active", "cancelled"])
def test_registering_twice_still_finds_the_one_registration(db, make_webinar, guest, again):
    webinar = make_webinar(capacity=2)
    first = registrations.register(webinar.id, **guest(1))
    db.session.commit()
    if again == "cancelled":
        registrations.cancel_registration(first.registration)
        db.session.commit()
    second = registrations.register(webinar.id, **guest(1))
    db.session.commit()
    assert second.registration.id == first.registration.id
    assert second.created is (again == "cancelled")
    assert db.session.execute(select(OutboxMessage.id).where(
        OutboxMessage.recipient == "guest1@example.org",
        OutboxMessage.template == "webinars/confirmed")).all()


def test_an_account_registering_an_address_a_guest_used_takes_that_registration(
        db, make_webinar, make_user, guest):
    webinar = make_webinar(capacity=2)
    first = registrations.register(webinar.id, **guest(1, email="Mariam@Example.org"))
    db.session.commit()
    user = make_user(email="mariam@example.org")
    again = registrations.register(webinar.id, user=user)
    db.session.commit()
    assert (again.created, again.registration.id) == (False, first.registration.id)
    assert again.registration.user_id == user.id
    assert again.position() is None  # a seat


def test_the_answers_counts_after_the_commit_open_no_transaction(app, client, db,
                                                                 make_webinar):
    if app.config["DB_BACKEND"] != "postgresql":
        pytest.skip("SQLite keeps its transactions: they cost no round trip there")
    webinar = make_webinar(capacity=3)
    _register(client, webinar, 0)
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    def commit(conn):
        seen.append(("COMMIT", None))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "commit", commit)
    try:
        _register(client, webinar, 1)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "commit", commit)
    end = seen.index(("COMMIT", None))
    assert {mode for _verb, mode in seen[:end]} == {False}  # the registration: one transaction
    assert seen[end + 1:] == [("SELECT", True)]  # the counts: autocommit, no BEGIN, no ROLLBACK


def test_a_registrant_list_costs_the_same_however_long_the_waitlist(
        client, db, make_webinar, make_user, api_token, login, guest):
    """Trainers list every registrant with their place in line: counted for all at once,
    and the webinar's seats once, not a query or two per person."""
    trainer = make_user(role="trainer", email="trainer@example.org")
    headers = api_token(trainer)
    login(trainer)
    webinar = make_webinar(capacity=1)
    api = f"/api/v1/webinars/{webinar.id}/registrations"
    page = f"/webinars/{webinar.id}/registrants"

    def register(first, last):
        for n in range(first, last):
            registrations.register(webinar.id, **guest(n))
        db.session.commit()

    register(1, 4)
    costs = {}
    for _waitlisted in (2, 12):  # then ten more in line
        for url, extra in ((api, {"headers": headers}), (page, {})):
            with statements(db) as sent:
                response = client.get(url, **extra)
            assert response.status_code == 200
            costs.setdefault(url, []).append(len(sent))
        register(4, 14)
    assert len(set(costs[api])) == len(set(costs[page])) == 1, costs

    # The places: in arrival order, closing up when someone leaves the line.
    second = db.session.execute(select(Registration).where(
        Registration.email == "guest2@example.org")).scalar_one()
    registrations.cancel_registration(second)
    db.session.commit()
    listed = client.get(api, headers=headers).get_json()
    places = {r["email"]: r["position"] for r in listed}
    assert places["guest1@example.org"] is None  # the seat
    assert places["guest2@example.org"] is None  # cancelled
    assert [places[f"guest{n}@example.org"] for n in range(3, 14)] == list(range(1, 12))
    assert all("webinar" not in r and r["manage_token"] is None for r in listed)
    html = client.get(page).get_data(as_text=True)
    assert html.count("guest13@example.org") == 1
