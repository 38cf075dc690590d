"""Registration rules: capacity, waitlist order, one registration per address, approval,
cancellation and promotion — and capacity held under concurrent registrations."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.db import utcnow
from elearn.extensions import db as _db
from elearn.webinars.errors import RegistrationClosed, WebinarError
from elearn.webinars.models import Registration
from elearn.webinars.registrations import (
    cancel_registration,
    decide,
    register,
    waitlist_position,
)
from elearn.webinars.services import cancel_webinar, update_webinar
from tests.webinars.conftest import outbox_for


def _statuses(db, webinar) -> dict[str, int]:
    return dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.webinar_id == webinar.id)
        .group_by(Registration.status)).all())


def test_seats_then_waitlist_in_order(db, make_webinar, guest):
    webinar = make_webinar(capacity=2)
    results = [register(webinar.id, **guest(n)) for n in range(1, 6)]
    db.session.commit()
    assert [r.registration.status for r in results] == [
        "confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [waitlist_position(r.registration) for r in results] == [None, None, 1, 2, 3]
    assert all(r.created for r in results)
    tokens = {r.registration.manage_token for r in results}
    assert len(tokens) == 5 and all(len(t) >= 32 for t in tokens)


def test_registering_again_returns_the_existing_registration(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    first = register(webinar.id, **guest(1))
    again = register(webinar.id, **guest(1, email="GUEST1@Example.ORG", name="Someone else"))
    db.session.commit()
    assert again.created is False
    assert again.registration.id == first.registration.id
    assert again.registration.name == "Guest 1"
    assert _statuses(db, webinar) == {"confirmed": 1}
    assert len(outbox_for(db, "guest1@example.org", "webinars/confirmed")) == 1


def test_a_signed_in_user_registers_with_their_profile(db, make_webinar, make_user):
    user = make_user(name="Li Wei", email="li.wei@example.cn", locale="zh",
                     timezone="Asia/Shanghai", country="CN")
    webinar = make_webinar()
    result = register(webinar.id, user=user)
    db.session.commit()
    registration = result.registration
    assert (registration.user_id, registration.email, registration.name) == (
        user.id, "li.wei@example.cn", "Li Wei")
    assert (registration.language, registration.timezone, registration.country) == (
        "zh", "Asia/Shanghai", "CN")
    [mail] = outbox_for(db, "li.wei@example.cn", "webinars/confirmed")
    assert mail.language == "zh"


def test_guest_details_are_checked(db, make_webinar, guest):
    webinar = make_webinar()
    with pytest.raises(WebinarError) as error:
        register(webinar.id, **guest(1, email="not an address", country="XX",
                                     timezone="Mars/Olympus", name=" "))
    assert set(error.value.errors) == {"email", "country", "timezone", "name"}
    assert "Mars/Olympus" in error.value.errors["timezone"][0]
    db.session.rollback()
    assert _statuses(db, webinar) == {}


def test_closed_cancelled_or_not_yet_open_webinars_refuse(db, make_webinar, guest):
    now = utcnow()
    later = make_webinar(registration_opens_at=now + timedelta(days=1))
    closed = make_webinar(registration_closes_at=now + timedelta(hours=1))
    gone = make_webinar()
    cancel_webinar(gone)
    db.session.commit()
    with pytest.raises(RegistrationClosed, match="opens"):
        register(later.id, **guest(1))
    db.session.rollback()
    with pytest.raises(RegistrationClosed, match="closed"):
        register(closed.id, now=now + timedelta(hours=2), **guest(1))
    db.session.rollback()
    with pytest.raises(RegistrationClosed, match="cancelled"):
        register(gone.id, **guest(1))


def test_cancelling_promotes_the_first_waitlisted_who_is_told(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    seat, first, second = (register(webinar.id, **guest(n)).registration for n in (1, 2, 3))
    db.session.commit()
    promoted = cancel_registration(seat)
    db.session.commit()
    assert [r.id for r in promoted] == [first.id]
    assert (seat.status, first.status, second.status) == ("cancelled", "confirmed", "waitlisted")
    assert waitlist_position(second) == 1
    [told] = outbox_for(db, first.email, "webinars/promoted")
    assert "A seat is free for you" in told.subject
    assert "https://meet.example.org/j/article-15" in told.body_text
    assert outbox_for(db, seat.email, "webinars/registration_cancelled")
    # Cancelling again changes nothing and promotes nobody else.
    assert cancel_registration(seat) == []
    db.session.commit()
    assert second.status == "waitlisted"


def test_cancelled_registration_comes_back_at_the_end_of_the_line(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    seat = register(webinar.id, **guest(1)).registration
    waiting = register(webinar.id, **guest(2)).registration
    db.session.commit()
    cancel_registration(seat)
    db.session.commit()
    back = register(webinar.id, **guest(1))
    db.session.commit()
    assert back.created and back.registration.id == seat.id
    assert (back.registration.status, waiting.status) == ("waitlisted", "confirmed")


def test_cancelling_a_webinar_tells_everyone_and_promotes_nobody(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    seat, waiting = (register(webinar.id, **guest(n)).registration for n in (1, 2))
    db.session.commit()
    assert cancel_webinar(webinar, message="The speaker is ill.")
    db.session.commit()
    assert (seat.status, waiting.status) == ("confirmed", "waitlisted")
    for address in (seat.email, waiting.email):
        [mail] = outbox_for(db, address, "webinars/webinar_cancelled")
        assert "The speaker is ill." in mail.body_text
    assert not outbox_for(db, waiting.email, "webinars/promoted")
    assert cancel_webinar(webinar) is False  # once is enough


def test_more_capacity_promotes_and_less_than_taken_is_refused(db, make_webinar, guest):
    webinar = make_webinar(capacity=1)
    regs = [register(webinar.id, **guest(n)).registration for n in range(1, 5)]
    db.session.commit()
    report = update_webinar(webinar, capacity=3)
    db.session.commit()
    assert [r.id for r in report.promoted] == [regs[1].id, regs[2].id]
    assert _statuses(db, webinar) == {"confirmed": 3, "waitlisted": 1}
    with pytest.raises(WebinarError) as error:
        update_webinar(webinar, capacity=2)
    assert "capacity" in error.value.errors
    db.session.rollback()
    assert webinar.capacity == 3


def test_approval_flow_individually_and_in_bulk(db, make_webinar, guest):
    webinar = make_webinar(capacity=2, requires_approval=True)
    regs = [register(webinar.id, **guest(n)).registration for n in range(1, 6)]
    db.session.commit()
    assert _statuses(db, webinar) == {"pending": 5}
    assert outbox_for(db, regs[0].email, "webinars/pending")

    report = decide(webinar, [regs[3].id], approve=True, message="Welcome aboard.")
    db.session.commit()
    assert [r.id for r in report.confirmed] == [regs[3].id]
    [mail] = outbox_for(db, regs[3].email, "webinars/confirmed")
    assert "approved" in mail.subject and "Welcome aboard." in mail.body_text

    report = decide(webinar, [r.id for r in regs[:3]], approve=True, message="")
    db.session.commit()
    assert [r.id for r in report.confirmed] == [regs[0].id]
    assert [r.id for r in report.waitlisted] == [regs[1].id, regs[2].id]
    assert [waitlist_position(r) for r in regs[1:3]] == [1, 2]
    assert outbox_for(db, regs[1].email, "webinars/waitlisted")

    report = decide(webinar, [regs[4].id, regs[0].id], approve=False,
                    message="This session is for focal points.")
    db.session.commit()
    assert {r.id for r in report.declined} == {regs[4].id, regs[0].id}
    # The declined seat went to the first on the waitlist.
    assert [r.id for r in report.promoted] == [regs[1].id]
    [mail] = outbox_for(db, regs[4].email, "webinars/declined")
    assert "This session is for focal points." in mail.body_text
    # Approving what is already decided is skipped, not an error.
    report = decide(webinar, [regs[4].id], approve=True)
    assert [r.id for r in report.skipped] == [regs[4].id]


def _in_threads(app, n: int, work) -> list:
    """Run work(i) in n threads at once, each with its own app context and session."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
                _db.session.commit()
            except Exception as exc:  # reported by the assertion below
                _db.session.rollback()
                results[i] = exc
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_forty_concurrent_registrations_never_exceed_capacity(app, db, make_webinar, guest):
    webinar = make_webinar(capacity=5)
    webinar_id = webinar.id

    def work(i):
        return register(webinar_id, **guest(i)).registration.status

    results = _in_threads(app, 40, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results).count("confirmed") == 5
    db.session.expire_all()
    assert _statuses(db, webinar) == {"confirmed": 5, "waitlisted": 35}
    waiting = db.session.execute(
        select(Registration).where(Registration.status == "waitlisted")).scalars().all()
    positions = sorted(waitlist_position(r) for r in waiting)
    assert positions == list(range(1, 36))
    emails = db.session.execute(select(Registration.email)).scalars().all()
    assert len(emails) == len(set(emails)) == 40


def test_the_same_address_registering_concurrently_gets_one_registration(app, db, make_webinar,
                                                                        guest):
    webinar = make_webinar(capacity=5)
    webinar_id = webinar.id

    def work(i):
        result = register(webinar_id, **guest(7, email="Same.Person@example.org"))
        return (result.registration.id, result.created)

    results = _in_threads(app, 12, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({registration_id for registration_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    db.session.expire_all()
    assert _statuses(db, webinar) == {"confirmed": 1}
    assert len(outbox_for(db, "same.person@example.org", "webinars/confirmed")) == 1


def test_concurrent_cancellations_and_registrations_keep_capacity(app, db, make_webinar, guest):
    webinar = make_webinar(capacity=3)
    webinar_id = webinar.id
    seats = [register(webinar_id, **guest(n)).registration for n in range(3)]
    db.session.commit()
    seat_ids = [r.id for r in seats]

    def work(i):
        if i < 3:
            cancel_registration(_db.session.get(Registration, seat_ids[i]))
            return "cancelled"
        return register(webinar_id, **guest(100 + i)).registration.status

    results = _in_threads(app, 20, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    assert _statuses(db, webinar) == {"cancelled": 3, "confirmed": 3, "waitlisted": 14}


# -- messages written before the lock ------------------------------------------------------


def test_the_waitlist_message_carries_the_real_position(db, make_webinar, guest):
    from elearn.webinars.notifications import POSITION_SLOT

    webinar = make_webinar(capacity=1)
    for n in range(1, 4):
        register(webinar.id, **guest(n))
    db.session.commit()
    [second] = outbox_for(db, "guest3@example.org", "webinars/waitlisted")
    assert "number 2 on the waiting list" in second.body_text
    assert "number 2 on the waiting list" in second.body_html
    assert str(POSITION_SLOT) not in second.subject + second.body_text + second.body_html


def test_a_wrong_prediction_is_written_again_under_the_lock(db, make_webinar, guest,
                                                           monkeypatch):
    """The last seat went between the unlocked look and the lock: the registrant is
    waitlisted, told so with their position, and gets no confirmation or reminders."""
    from elearn.webinars import registrations
    from elearn.webinars.registrations import Status

    webinar = make_webinar(capacity=1)
    register(webinar.id, **guest(1))
    db.session.commit()
    real = registrations._decide
    monkeypatch.setattr(registrations, "_decide",
                        lambda w, own=None: Status.CONFIRMED if own is None else real(w, own))
    result = register(webinar.id, **guest(2))
    db.session.commit()
    assert result.registration.status == "waitlisted"
    assert result.registration.confirmed_at is None
    assert [m.template for m in outbox_for(db, "guest2@example.org")] == [
        "webinars/waitlisted"]
    assert "number 1 on the waiting list" in outbox_for(db, "guest2@example.org")[0].body_text


def test_a_webinar_changed_before_the_lock_gets_messages_written_anew(
        db, make_webinar, guest, monkeypatch):
    from elearn.webinars import registrations

    webinar = make_webinar(capacity=5)
    real_lock = registrations.lock_webinar

    def lock_after_a_rename(webinar_id):
        locked = real_lock(webinar_id)
        locked.title = "Article 15 reporting: the new reporting format"
        return locked

    monkeypatch.setattr(registrations, "lock_webinar", lock_after_a_rename)
    register(webinar.id, **guest(1))
    db.session.commit()
    mails = outbox_for(db, "guest1@example.org")
    assert [m.template for m in mails].count("webinars/confirmed") == 1
    assert all("the new reporting format" in m.body_text for m in mails)
