"""Fixtures for the webinar tests: the programme's themes, a webinar factory and readers
for the outbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.db import utcnow
from elearn.mail.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]


def add_programme_themes(db) -> None:
    """The Theme rows of the shipped library (courses/themes.yml), as ``flask content
    sync`` makes them: webinars name one of them."""
    from elearn.courses.library import read_themes
    from elearn.courses.models import Theme

    problems: list = []
    for source in read_themes(ROOT, problems):
        db.session.add(Theme(slug=source.slug, title=source.title,
                             description=source.description, audiences=source.audiences,
                             position=source.position, translations=source.translations))
    assert not problems, problems
    db.session.commit()


@pytest.fixture(autouse=True)
def programme_themes(db):
    add_programme_themes(db)


@pytest.fixture
def make_webinar(db):
    """make_webinar(capacity=5, starts_in=timedelta(days=7), ...) -> a committed Webinar."""
    from elearn.webinars.services import create_webinar

    def factory(*, starts_in: timedelta = timedelta(days=7), created_by=None, **fields):
        values = {
            "title": "Reporting under Article 15",
            "theme": "reporting",
            "language": "en",
            "description": "How to use the **online reporting system**.",
            "starts_at": utcnow().replace(microsecond=0) + starts_in,
            "timezone": "Europe/Zurich",
            "duration_minutes": 90,
            "capacity": 5,
            "join_url": "https://meet.example.org/j/article-15",
        }
        values.update(fields)
        webinar = create_webinar(created_by=created_by, **values)
        db.session.commit()
        return webinar

    return factory


@pytest.fixture
def guest():
    """guest(n) -> keyword arguments for a guest registration."""

    def details(n: int = 1, **extra):
        values = {
            "name": f"Guest {n}",
            "email": f"guest{n}@example.org",
            "country": "SN",
            "organisation": "Direction de l'environnement",
            "language": "en",
            "timezone": "Africa/Dakar",
        }
        values.update(extra)
        return values

    return details


def outbox_for(db, address: str, template: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.recipient == address)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.execute(stmt.order_by(OutboxMessage.id)).scalars())


@pytest.fixture
def move_to_past(db):
    """move_to_past(webinar, days=1): the webinar took place that many days ago."""
    from elearn.webinars.models import Webinar

    def move(webinar, days: int = 1):
        shift = webinar.ends_at - utcnow() + timedelta(days=days)
        db.session.execute(
            Webinar.__table__.update().where(Webinar.id == webinar.id).values(
                starts_at=webinar.starts_at - shift, ends_at=webinar.ends_at - shift))
        db.session.commit()
        db.session.refresh(webinar)
        return webinar

    return move
