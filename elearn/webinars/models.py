"""Webinars and the people registered for them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from elearn.accounts.models import User
from elearn.db import TimestampMixin, utcnow
from elearn.extensions import db

#: Reminders before the start when a trainer does not choose: one day and one hour.
DEFAULT_REMINDER_OFFSETS = (24 * 60, 60)


class WebinarStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RegistrationStatus(enum.StrEnum):
    #: Waiting for a trainer's approval (webinars that require it).
    PENDING = "pending"
    #: Holds a seat; gets the invitation and the reminders.
    CONFIRMED = "confirmed"
    #: In line for a seat, in ``queue_number`` order.
    WAITLISTED = "waitlisted"
    #: A trainer said no.
    DECLINED = "declined"
    #: The registrant (or a trainer) withdrew it.
    CANCELLED = "cancelled"


#: Statuses of a registration that is still alive.
ACTIVE_STATUSES = (
    RegistrationStatus.PENDING.value,
    RegistrationStatus.CONFIRMED.value,
    RegistrationStatus.WAITLISTED.value,
)


class Webinar(TimestampMixin, db.Model):
    __tablename__ = "webinars"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: iCalendar UID, fixed at creation so every invitation updates the same event.
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    #: iCalendar SEQUENCE: raised on every change a calendar must learn about.
    sequence: Mapped[int] = mapped_column(default=0)
    #: Title, in the webinar's language.
    title: Mapped[str] = mapped_column(String(200))
    #: Slug of the programme theme (a ``Theme`` row of the courses; checked by the
    #: services, see ``elearn.webinars.themes``).
    theme: Mapped[str] = mapped_column(String(40), index=True)
    #: Language the webinar is given in (en, fr, es, ar, ru, zh).
    language: Mapped[str] = mapped_column(String(5), index=True)
    #: Description as the trainer wrote it (Markdown).
    description: Mapped[str] = mapped_column(Text, default="")
    #: The description rendered by ``elearn.markup`` when saved.
    description_html: Mapped[str] = mapped_column(Text, default="")
    #: Start (UTC).
    starts_at: Mapped[datetime] = mapped_column(index=True)
    #: Length in minutes.
    duration_minutes: Mapped[int]
    #: End (UTC): ``starts_at`` + ``duration_minutes``, kept by the services for queries.
    ends_at: Mapped[datetime] = mapped_column(index=True)
    #: IANA zone the trainer entered the start time in; shown beside the viewer's.
    timezone: Mapped[str] = mapped_column(String(64))
    #: Link to the meeting (any meeting service).
    join_url: Mapped[str] = mapped_column(String(500))
    #: Seats: confirmed registrations never exceed it.
    capacity: Mapped[int]
    #: Registration opens at this moment (UTC); None means at once.
    registration_opens_at: Mapped[datetime | None]
    #: Registration closes at this moment (UTC); None means when the webinar ends.
    registration_closes_at: Mapped[datetime | None]
    #: Registrations wait for a trainer's approval.
    requires_approval: Mapped[bool] = mapped_column(default=False)
    #: Minutes before the start at which confirmed registrants get a reminder.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_OFFSETS)
    )
    #: Slug of the course this webinar belongs to, if any; the services refuse a slug that
    #: names no course (a string, not a foreign key: courses are never deleted, and
    #: rebuilding this table on SQLite would cascade to the registrations).
    course_slug: Mapped[str | None] = mapped_column(String(200), index=True)
    #: Link to the recording, shown once the webinar is over.
    recording_url: Mapped[str | None] = mapped_column(String(500))
    #: scheduled or cancelled.
    status: Mapped[str] = mapped_column(String(12), default=WebinarStatus.SCHEDULED.value,
                                        index=True)
    #: When it was cancelled.
    cancelled_at: Mapped[datetime | None]
    #: Bumped by every change to its registrations: the UPDATE that bumps it takes the
    #: lock that serialises them, and its value numbers arrivals (``queue_number``).
    registration_counter: Mapped[int] = mapped_column(default=0)
    #: The trainer who created it.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    created_by: Mapped[User | None] = relationship()
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="webinar", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Registration.queue_number",
    )

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == WebinarStatus.CANCELLED.value

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.starts_at

    def is_over(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.ends_at

    def closes_at(self) -> datetime:
        return self.registration_closes_at or self.ends_at

    def registration_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.is_cancelled or now >= self.closes_at():
            return False
        return self.registration_opens_at is None or now >= self.registration_opens_at

    def __repr__(self) -> str:
        return f"<Webinar {self.id} {self.title!r}>"


class Registration(TimestampMixin, db.Model):
    __tablename__ = "webinar_registrations"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The webinar. Indexed as the first column of the two indexes below; an index of
    #: its own made the planner count a new webinar's seats through it, reading every row.
    webinar_id: Mapped[int] = mapped_column(ForeignKey("webinars.id", ondelete="CASCADE"))
    #: The account that registered, or None for a guest.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Name as given (or the account's).
    name: Mapped[str] = mapped_column(String(200))
    #: E-mail address, lower-case: one registration per address per webinar.
    email: Mapped[str] = mapped_column(String(254))
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(String(2))
    #: Organisation as the person writes it.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: Language of every e-mail about this registration.
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: IANA zone in which e-mails show the time.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: pending, confirmed, waitlisted, declined or cancelled.
    status: Mapped[str] = mapped_column(String(12), index=True)
    #: Order of arrival on the webinar (from its counter): the waitlist is served in it.
    queue_number: Mapped[int]
    #: Random token of the no-login manage link.
    manage_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: When it last became confirmed.
    confirmed_at: Mapped[datetime | None]
    #: When it was cancelled or declined.
    cancelled_at: Mapped[datetime | None]
    #: The trainer's message with an approval or a refusal.
    decision_message: Mapped[str | None] = mapped_column(Text)
    #: Whether the person attended (checklist or the meeting service's report).
    attended: Mapped[bool] = mapped_column(default=False, index=True)
    #: When attendance was last recorded for this person.
    attendance_recorded_at: Mapped[datetime | None]

    webinar: Mapped[Webinar] = relationship(back_populates="registrations")
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        # With the check below this is the unique (webinar_id, lower(email)) rule, written
        # so both SQLite and PostgreSQL enforce it and Alembic can compare it.
        UniqueConstraint("webinar_id", "email", name="uq_webinar_registrations_webinar_email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        Index("ix_webinar_registrations_queue", "webinar_id", "status", "queue_number"),
    )

    @validates("email")
    def _lower_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.email} {self.status}>"
