"""What certificates do: record a completion once, issue, revoke, reissue, look up.

Functions here change the session and flush; the caller commits once. The same functions
serve the pages, the JSON API, the CLI and the completion rule's signal receivers.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from elearn.accounts.models import Role, User
from elearn.accounts.services import external_url
from elearn.certificates.codes import make_serial, new_code, normalise_code
from elearn.certificates.models import Certificate, Completion
from elearn.certificates.pdf import CertificateContent, render_certificate_pdf
from elearn.db import insert_once, utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.i18n import is_timezone
from elearn.mail.services import queue_mail


class CertificateError(DomainError):
    """A revocation or reissue was refused."""


# -- looking up --------------------------------------------------------------------------


#: Built once: every verification (page, badge, API) runs it, and building and keying a
#: new SELECT cost about as much as running it.
_BY_CODE = select(Certificate).where(Certificate.code == bindparam("code"))


def find_certificate(raw_code: str | None) -> Certificate | None:
    """The certificate with this verification code, typed in any case, with or without
    dashes; None for anything else (the caller answers a plain 404)."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    return db.session.execute(_BY_CODE, {"code": code}).scalar_one_or_none()


#: What can change a certificate's verification page, without building the ORM object:
#: the page is kept under it (see ``views.verify``), so a visitor's page from the cache
#: costs this one Core row (the ORM's execution layer is twice the row's own cost).
#: Everything else on the page is fixed at issue (a correction is a new certificate).
_STATE_BY_CODE = select(
    Certificate.id, Certificate.revoked_at, Certificate.replaced_at, Certificate.replaced_by_id,
).where(Certificate.code == bindparam("code"))


def certificate_state(raw_code: str | None) -> tuple | None:
    """(code, id, revoked at, replaced at, replaced by) of the certificate with this
    verification code, read as :func:`find_certificate` reads it; None when there is none."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    row = db.session.connection().execute(_STATE_BY_CODE, {"code": code}).first()
    return None if row is None else (code, *row)


def certificates_of(user: User) -> list[Certificate]:
    """The holder's certificates, newest first, replaced and revoked ones included."""
    return list(db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ).scalars())


def current_certificate(user_id: int, course_id: int) -> Certificate | None:
    """The learner's certificate for a course that is neither revoked nor replaced."""
    return db.session.execute(
        select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id,
            Certificate.revoked_at.is_(None), Certificate.replaced_at.is_(None),
        )
    ).scalar_one_or_none()


def get_completion(user_id: int, course_id: int) -> Completion | None:
    return db.session.execute(
        select(Completion).where(Completion.user_id == user_id,
                                 Completion.course_id == course_id)
    ).scalar_one_or_none()


def can_download(user, certificate: Certificate) -> bool:
    """The holder, trainers and admins may download the PDF; nobody else may know it
    exists (the view answers 404, not 403)."""
    if user is None or not user.is_authenticated:
        return False
    return user.id == certificate.user_id or user.has_role(Role.TRAINER)


def verify_url(certificate: Certificate) -> str:
    return external_url(f"/verify/{certificate.code}")


def pdf_url(certificate: Certificate) -> str:
    return external_url(f"/certificates/{certificate.code}.pdf")


def badge_url(certificate: Certificate) -> str:
    return external_url(f"/verify/{certificate.code}/badge.json")


# -- completion and issue ----------------------------------------------------------------


def record_completion(user: User, course_id: int, *, score: float | None,
                      completed_at: datetime | None = None) -> tuple[Completion, bool]:
    """The learner's completion of the course: (row, True) when recorded now, (row, False)
    when it already was. The date and score are those of the first time."""
    # Two requests completing the course at once make exactly one row (see insert_once).
    new_id = insert_once(
        db.session, Completion,
        {"user_id": user.id, "course_id": course_id, "completed_at": completed_at or utcnow(),
         "score": score},
        ["user_id", "course_id"],
    )
    if new_id is None:
        return get_completion(user.id, course_id), False
    return db.session.get(Completion, new_id), True


def certificate_language(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else languages[0]


def local_date(moment: datetime, timezone: str | None) -> date:
    """The calendar date of ``moment`` where the holder lives."""
    zone = ZoneInfo(timezone) if is_timezone(timezone) else ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def _render_pdf(certificate: Certificate) -> bytes:
    content = CertificateContent(
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        theme_title=certificate.theme_title,
        issued_on=local_date(certificate.completion.completed_at, certificate.holder.timezone),
        score=certificate.score,
        serial=certificate.serial or "",
        code_display=certificate.code_display,
        verify_url=verify_url(certificate),
        issuer=certificate.issuer,
        language=certificate.language,
    )
    return render_certificate_pdf(content)


def _new_certificate(*, holder: User, completion: Completion, holder_name: str,
                     course_title: str, theme_title: str, language: str,
                     issuer: str | None = None, issued_by: User | None = None) -> Certificate:
    """Insert a certificate, number it from its id, render and store its PDF."""
    certificate = Certificate(
        code=new_code(), holder=holder, course_id=completion.course_id, completion=completion,
        holder_name=" ".join(holder_name.split()), course_title=course_title,
        theme_title=theme_title, language=language, score=completion.score,
        issuer=issuer or current_app.config["CERTIFICATE_ISSUER"], issued_at=utcnow(),
        issued_by=issued_by, pdf=b"",
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.serial = make_serial(current_app.config["CERTIFICATE_SERIAL_PREFIX"],
                                     certificate.issued_at.year, certificate.id)
    certificate.pdf = _render_pdf(certificate)
    certificate.pdf_size = len(certificate.pdf)
    db.session.flush()
    return certificate


def _mail(certificate: Certificate, template: str, **extra) -> None:
    holder = certificate.holder
    queue_mail(
        to=holder.email, template=template, language=certificate.language,
        context={
            "name": certificate.holder_name, "certificate": certificate,
            "verify_url": verify_url(certificate), "pdf_url": pdf_url(certificate),
            "list_url": external_url("/certificates"), **extra,
        },
        reference=f"certificate:{certificate.id}:{template.rsplit('/', 1)[-1]}",
    )


def issue_for_completion(user: User, completion: Completion, *, course_title: str,
                         theme_title: str, language: str | None = None) -> Certificate:
    """Issue the certificate of a completion just recorded, and tell the learner."""
    certificate = _new_certificate(
        holder=user, completion=completion, holder_name=user.name, course_title=course_title,
        theme_title=theme_title, language=language or certificate_language(user),
    )
    _mail(certificate, "certificates/issued")
    return certificate


# -- revoke and reissue ------------------------------------------------------------------


def revoke_certificate(certificate: Certificate, *, by: User, reason: str) -> None:
    """Revoke with a reason: the verification page then says when and why."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CertificateError(_("Say why the certificate is revoked."),
                               errors={"reason": [_("This field is required.")]}, status=422)
    if certificate.revoked_at is not None:
        raise CertificateError(_("This certificate is already revoked."), status=409)
    certificate.revoked_at = utcnow()
    certificate.revoked_by = by
    certificate.revocation_reason = reason
    db.session.flush()


def reissue_certificate(certificate: Certificate, *, by: User, holder_name: str) -> Certificate:
    """A new certificate with the corrected name for the same completion; the old one is
    marked replaced and points to the new one. The holder is told by e-mail."""
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        raise CertificateError(_("Give the name to print on the certificate."),
                               errors={"holder_name": [_("This field is required.")]},
                               status=422)
    # Claim the old certificate first: of two admins reissuing at once, one wins.
    claimed = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.replaced_at.is_(None))
        .values(replaced_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(certificate, ["replaced_at"])
    if claimed != 1:
        raise CertificateError(_("This certificate has already been replaced."), status=409)
    new = _new_certificate(
        holder=certificate.holder, completion=certificate.completion, holder_name=holder_name,
        course_title=certificate.course_title, theme_title=certificate.theme_title,
        language=certificate.language, issuer=certificate.issuer, issued_by=by,
    )
    certificate.replaced_by = new
    db.session.flush()
    _mail(new, "certificates/reissued", old=certificate)
    return new
