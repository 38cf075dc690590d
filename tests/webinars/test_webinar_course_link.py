"""A webinar's course is a real link: checked when saved, shown on both pages, and its
attendance announced for the course's completion rule."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.signals import attendance_recorded
from elearn.webinars.attendance import attended_course_webinar, set_attendance
from elearn.webinars.models import Webinar
from elearn.webinars.registrations import register
from elearn.webinars.services import cancel_webinar
from tests.webinars.test_webinar_api import NEW
from tests.webinars.test_webinar_trainer import FORM


@pytest.fixture
def make_course(db):
    """make_course(slug, published=True, required=False) -> a committed course with one
    module, in the "reporting" theme."""
    from elearn.courses.models import Course, CourseText, Module, ModuleText, Theme

    def factory(slug="article-15", *, title="National reporting under Article 15",
                published=True, required=False):
        theme = db.session.execute(select(Theme).where(Theme.slug == "reporting")).scalar_one()
        course = Course(slug=slug, theme=theme, language="en", published=published,
                        requires_webinar_attendance=required)
        course.texts.append(CourseText(language="en", title=title, summary="Reports."))
        module = Module(slug="what", position=1, published=True)
        module.texts.append(ModuleText(language="en", title="What", body_html="<p>x</p>"))
        course.modules.append(module)
        db.session.add(course)
        db.session.commit()
        return course

    return factory


@pytest.fixture
def trainer(client, make_user, login):
    user = make_user(role="trainer", email="trainer@example.org")
    login(user)
    return user


def _webinars(db) -> list[Webinar]:
    db.session.expire_all()
    return list(db.session.execute(select(Webinar)).scalars())


# -- saving the link ----------------------------------------------------------------------


def test_the_trainer_form_offers_the_courses_and_refuses_an_unknown_one(client, db, trainer,
                                                                        make_course):
    make_course()
    form = client.get("/webinars/new").get_data(as_text=True)
    assert '<option value="">No course</option>' in form
    assert ('<option value="article-15">National reporting under Article 15 (article-15)'
            '</option>') in form

    refused = client.post("/webinars/new", data=dict(FORM, course_slug="article-51"))
    assert refused.status_code == 422
    assert "There is no course “article-51”" in refused.get_data(as_text=True)
    assert _webinars(db) == []

    saved = client.post("/webinars/new", data=dict(FORM, course_slug="article-15"))
    assert saved.status_code == 302
    [webinar] = _webinars(db)
    assert webinar.course_slug == "article-15"
    edit = client.get(f"/webinars/{webinar.id}/edit").get_data(as_text=True)
    assert '<option selected value="article-15">' in edit

    client.post(f"/webinars/{webinar.id}/edit", data=dict(FORM, course_slug=""))
    assert _webinars(db)[0].course_slug is None


def test_the_api_refuses_an_unknown_course_with_a_clear_error(client, db, make_user,
                                                              api_token, make_course):
    make_course()
    headers = api_token(make_user(role="trainer"))
    response = client.post("/api/v1/webinars", json=dict(NEW, course_slug="nope"),
                           headers=headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["course_slug"] == [
        "There is no course “nope”. Give the address of an existing course, as in "
        "/courses/<address>."]

    created = client.post("/api/v1/webinars", json=dict(NEW, course_slug="article-15"),
                          headers=headers)
    assert created.status_code == 201 and created.get_json()["course_slug"] == "article-15"
    webinar_id = created.get_json()["id"]
    patched = client.patch(f"/api/v1/webinars/{webinar_id}", json={"course_slug": "nope"},
                           headers=headers)
    assert patched.status_code == 422 and "course_slug" in patched.get_json()["errors"]
    assert _webinars(db)[0].course_slug == "article-15"


# -- showing it ---------------------------------------------------------------------------


def test_the_webinar_page_shows_its_course(client, db, make_webinar, make_course, make_user,
                                           login):
    make_course(required=True)
    webinar = make_webinar(course_slug="article-15")
    page = client.get(f"/webinars/{webinar.id}").get_data(as_text=True)
    assert ('Part of the course <a href="/courses/article-15">National reporting under '
            'Article 15</a>') in page
    assert "Attending this webinar counts toward completing the course." in page

    make_course("draft", title="A draft course", published=False)
    draft = make_webinar(course_slug="draft")
    assert "A draft course" not in client.get(f"/webinars/{draft.id}").get_data(as_text=True)
    login(make_user(role="trainer"))
    assert "A draft course" in client.get(f"/webinars/{draft.id}").get_data(as_text=True)


def test_the_course_page_lists_its_upcoming_webinars(client, db, make_webinar, make_course,
                                                     move_to_past):
    make_course()
    make_webinar(title="Filling in the national report", course_slug="article-15",
                 starts_in=timedelta(days=9))
    make_webinar(title="The online reporting system", course_slug="article-15",
                 starts_in=timedelta(days=2))
    cancel_webinar(make_webinar(title="Cancelled session", course_slug="article-15"))
    move_to_past(make_webinar(title="Last year's session", course_slug="article-15"))
    make_webinar(title="Another course's webinar")
    db.session.commit()

    page = client.get("/courses/article-15").get_data(as_text=True)
    assert page.index("The online reporting system") < page.index(
        "Filling in the national report")
    for absent in ("Cancelled session", "Last year's session", "Another course's webinar",
                   "To complete this course"):
        assert absent not in page

    api = client.get("/api/v1/courses/article-15").get_json()
    assert api["webinar_required"] is False
    assert [w["title"] for w in api["webinars"]] == ["The online reporting system",
                                                    "Filling in the national report"]
    assert api["webinars"][0]["url"].startswith("http://elearn.test/webinars/")


def test_the_course_page_says_when_attendance_is_required_and_when_it_is_done(
        client, db, make_webinar, make_course, make_user, login):
    make_course(required=True)
    learner = make_user(email="fatou.ndiaye@example.sn")
    login(learner)
    page = client.get("/courses/article-15").get_data(as_text=True)
    assert "To complete this course, also attend one of its webinars." in page
    assert "No webinar of this course is scheduled at the moment." in page

    webinar = make_webinar(course_slug="article-15")
    registration = register(webinar.id, user=learner).registration
    set_attendance(webinar, [registration.id], {registration.id})
    db.session.commit()
    page = client.get("/courses/article-15").get_data(as_text=True)
    assert "You attended a webinar of this course." in page
    assert "To complete this course" not in page


# -- attendance ---------------------------------------------------------------------------


@pytest.fixture
def announced():
    """The registrations ``attendance_recorded`` announced, in order."""
    seen: list[tuple[int, int]] = []

    def listener(sender, *, registration, webinar, **extra):
        seen.append((webinar.id, registration.id))

    with attendance_recorded.connected_to(listener):
        yield seen


def test_marking_attendance_announces_who_came_once(client, db, trainer, make_webinar, guest,
                                                    announced):
    webinar = make_webinar()
    one, two, three = (register(webinar.id, **guest(n)).registration for n in (1, 2, 3))
    db.session.commit()
    shown = {"shown": [one.id, two.id, three.id]}

    client.post(f"/webinars/{webinar.id}/attendance", data={**shown, "attended": [one.id]})
    assert announced == [(webinar.id, one.id)]
    # Saving the checklist again, or taking a tick back, announces nobody.
    client.post(f"/webinars/{webinar.id}/attendance", data={**shown, "attended": [one.id]})
    client.post(f"/webinars/{webinar.id}/attendance", data=shown)
    assert announced == [(webinar.id, one.id)]

    report = b"Email\r\nguest2@example.org\r\nguest3@example.org\r\nwalk.in@example.org\r\n"
    client.post(f"/webinars/{webinar.id}/attendance/upload",
                data={"report": (io.BytesIO(report), "attendance.csv")},
                content_type="multipart/form-data")
    assert announced[1:] == [(webinar.id, two.id), (webinar.id, three.id)]
    client.post(f"/webinars/{webinar.id}/attendance/upload",
                data={"report": (io.BytesIO(report), "attendance.csv")},
                content_type="multipart/form-data")
    assert len(announced) == 3


def test_who_attended_a_webinar_of_a_course(db, make_webinar, make_course, make_user, guest):
    make_course()
    make_course("pcbs", title="PCBs")
    linked = make_webinar(course_slug="article-15")
    other = make_webinar(course_slug="pcbs")
    by_account = make_user(email="account@example.org")
    by_address = make_user(email="guest1@example.org")  # registered as a guest first
    unverified = make_user(email="guest2@example.org", verified=False)
    absent = make_user(email="absent@example.org")
    elsewhere = make_user(email="elsewhere@example.org")
    people = [register(linked.id, user=by_account).registration,
              register(linked.id, **guest(1, email="GUEST1@example.org")).registration,
              register(linked.id, **guest(2)).registration,
              register(linked.id, user=absent).registration]
    came = register(other.id, user=elsewhere).registration
    set_attendance(linked, [p.id for p in people], {p.id for p in people[:3]})
    set_attendance(other, [came.id], {came.id})
    db.session.commit()

    assert attended_course_webinar(by_account, "article-15")
    assert attended_course_webinar(by_address, "article-15")
    assert not attended_course_webinar(unverified, "article-15")  # address not proved
    assert not attended_course_webinar(absent, "article-15")
    assert not attended_course_webinar(elsewhere, "article-15")
    assert attended_course_webinar(elsewhere, "pcbs")
