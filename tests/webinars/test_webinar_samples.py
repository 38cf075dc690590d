"""The sample webinars from the programme's calendar, loaded by a CLI command."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from elearn.courses.services import theme_titles
from elearn.db import utcnow
from elearn.webinars.models import Webinar
from elearn.webinars.samples import SAMPLES, MissingThemes, load_samples


def test_load_samples_command_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["webinars", "load-samples"])
    assert first.exit_code == 0, first.output
    assert f"{len(SAMPLES)} created, 0 already there" in first.output
    again = runner.invoke(args=["webinars", "load-samples"])
    assert f"0 created, {len(SAMPLES)} already there" in again.output
    webinars = db.session.execute(select(Webinar).order_by(Webinar.starts_at)).scalars().all()
    assert len(webinars) == len(SAMPLES)
    # The brochure's order is kept, and every sample is ahead, so the list is never empty.
    assert [w.title for w in webinars] == [s.title for s in SAMPLES]
    assert all(w.starts_at > utcnow() for w in webinars)
    assert all(w.theme in theme_titles() for w in webinars)
    assert all(w.starts_at.weekday() < 5 for w in webinars)  # working days
    titles = {w.title for w in webinars}
    assert "Briefing on the outcomes of the 7th meeting of the POPRC" in titles
    assert {w.theme for w in webinars} >= {"poprc", "nip", "ddt", "dioxins", "legal",
                                           "resources", "synergies", "reporting",
                                           "pops-in-articles"}


def test_samples_move_with_the_calendar(db):
    load_samples(today=date(2031, 12, 15))
    first = db.session.execute(select(Webinar).order_by(Webinar.starts_at)).scalars().first()
    # June 2011, the brochure's first month, becomes the month after "today".
    assert (first.starts_at.year, first.starts_at.month) == (2032, 1)
    assert first.theme == "synergies"


def test_samples_need_the_themes_synced_first(app, db):
    from elearn.courses.models import Theme

    db.session.execute(Theme.__table__.delete().where(Theme.slug == "ddt"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["webinars", "load-samples"])
    assert result.exit_code != 0
    assert "missing: ddt" in result.output and "flask content sync" in result.output
    assert db.session.execute(select(Webinar)).first() is None
    try:
        load_samples()
    except MissingThemes as exc:
        assert exc.slugs == ["ddt"]
    else:  # pragma: no cover - reported by the assertion
        raise AssertionError("samples were loaded without their theme")


def test_samples_on_a_shipped_course_subject_are_linked_to_it_when_it_is_there(db):
    from elearn.courses.models import Course, CourseText, Theme

    theme = db.session.execute(select(Theme).where(Theme.slug == "nip")).scalar_one()
    course = Course(slug="nip-update", theme=theme, language="en", published=True)
    course.texts.append(CourseText(language="en", title="Updating the NIP", summary=""))
    db.session.add(course)
    db.session.commit()
    load_samples()
    links = dict(db.session.execute(select(Webinar.title, Webinar.course_slug)).tuples().all())
    assert links["Updating national implementation plans: prioritization and action plans"] \
        == "nip-update"
    # Courses that are not in the database are not linked.
    assert links["Enhancing information collection for reporting under Article 15"] is None
    assert {slug for slug in links.values() if slug} == {"nip-update"}
