"""Course completions and the certificates issued for them.

A ``Completion`` is the fact: this learner met this course's completion rule on that day,
with that score. There is at most one per learner and course (a unique constraint), which
is what makes issuance happen exactly once even when two requests complete the course at
the same moment.

A ``Certificate`` is the document: a snapshot of the holder's name, the course and the
issuer at issue time, its serial number and random verification code, and the PDF made
once at issue. A certificate is never deleted or edited: an admin revokes it (with a
reason) or replaces it by a new one (after a name correction); the old one then points to
the new one. At most one certificate per learner and course is *current* (neither revoked
nor replaced), enforced by a partial unique index on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.accounts.models import User
from elearn.certificates.codes import display_code
from elearn.courses.models import Course
from elearn.db import utcnow
from elearn.extensions import db


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    REPLACED = "replaced"


class Completion(db.Model):
    __tablename__ = "course_completions"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    #: Primary key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The learner who completed the course.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The course completed.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: When the completion rule was first met (UTC).
    completed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The best closing-quiz score (percent) when the rule was met; None without a quiz.
    score: Mapped[float | None] = mapped_column(Float)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<Completion user={self.user_id} course={self.course_id}>"


#: Rows that count as the learner's certificate for a course: not revoked, not replaced.
CURRENT = text("revoked_at IS NULL AND replaced_at IS NULL")


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_current", "user_id", "course_id", unique=True,
            sqlite_where=CURRENT, postgresql_where=CURRENT,
        ),
    )

    #: Primary key; the serial number is made from it.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Human-friendly unique number (``SC-2026-000123``), set right after the row is
    #: inserted because it is made from the id.
    serial: Mapped[str | None] = mapped_column(String(30), unique=True)
    #: Random verification code (80 bits, Crockford base32, upper case, no dashes).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: The holder.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The course the certificate is for.
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: The completion it attests.
    completion_id: Mapped[int] = mapped_column(
        ForeignKey("course_completions.id"), index=True
    )
    #: The holder's name as on their profile at issue (or as corrected by an admin).
    holder_name: Mapped[str] = mapped_column(String(200))
    #: The course title at issue, in the certificate's language when translated.
    course_title: Mapped[str] = mapped_column(String(200))
    #: The programme theme's title at issue.
    theme_title: Mapped[str] = mapped_column(String(200), default="")
    #: Language of the PDF (the holder's language at issue): en fr es ar ru zh.
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: The score (percent) that earned it; None for a course without a quiz.
    score: Mapped[float | None] = mapped_column(Float)
    #: Who issues it, as printed ("Secretariat of the Stockholm Convention").
    issuer: Mapped[str] = mapped_column(String(200))
    #: When it was issued (UTC).
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The admin who issued it by hand (a reissue); None when issued on completion.
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The PDF, made once at issue and served as is (loaded only when asked for).
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: Size of the PDF in bytes, for listings without loading it.
    pdf_size: Mapped[int] = mapped_column(default=0)
    #: When an admin revoked it (UTC); None while not revoked.
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The admin who revoked it.
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Why it was revoked, shown on the public verification page.
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
    #: When a reissue replaced it (UTC); None while it is the current one.
    replaced_at: Mapped[datetime | None] = mapped_column(index=True)
    #: The certificate that replaced it.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), index=True
    )

    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    course: Mapped[Course] = relationship()
    completion: Mapped[Completion] = relationship()
    replaced_by: Mapped[Certificate | None] = relationship(
        remote_side=[id], foreign_keys=[replaced_by_id]
    )

    @property
    def status(self) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.replaced_at is not None:
            return CertificateStatus.REPLACED
        return CertificateStatus.VALID

    @property
    def is_valid(self) -> bool:
        return self.status is CertificateStatus.VALID

    @property
    def code_display(self) -> str:
        return display_code(self.code)

    def __repr__(self) -> str:
        return f"<Certificate {self.serial} {self.status}>"
