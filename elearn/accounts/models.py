"""The people who use elearn and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.db import TimestampMixin, utcnow
from elearn.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


#: What each role may do includes what the roles below it may do.
ROLE_RANK = {Role.LEARNER: 0, Role.TRAINER: 1, Role.ADMIN: 2}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login and contact address, stored lower-case (services normalise it).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Full name exactly as it should appear on a certificate.
    name: Mapped[str] = mapped_column(String(200))
    #: werkzeug password hash (scrypt).
    password_hash: Mapped[str] = mapped_column(String(256))
    #: learner, trainer or admin.
    role: Mapped[str] = mapped_column(String(20), default=Role.LEARNER.value)
    #: ISO 3166-1 alpha-2 country code.
    country: Mapped[str] = mapped_column(String(2))
    #: Ministry, agency, customs administration... as the person writes it.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: Preferred interface and e-mail language (en, fr, es, ar, ru, zh).
    locale: Mapped[str] = mapped_column(String(5), default="en")
    #: IANA time zone in which times are shown to this person.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: When the person proved they own the address; None until then.
    email_verified_at: Mapped[datetime | None]
    #: Bumped when the password changes: invalidates reset links and other sessions.
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: False blocks login without deleting the person's records.
    active: Mapped[bool] = mapped_column(default=True)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, role: Role | str) -> bool:
        return ROLE_RANK.get(Role(self.role), 0) >= ROLE_RANK[Role(role)]

    def get_id(self) -> str:
        # The password time joins the id so a password change ends other sessions.
        return f"{self.id}:{int(self.password_changed_at.timestamp() * 1_000_000)}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose token this is.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: A label the owner chose ("reporting script").
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    #: When it was made.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it last authenticated a request.
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
