"""The admin's certificate pages: find a certificate, revoke it, reissue it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from elearn.accounts.models import Role
from elearn.certificates import services
from elearn.certificates.codes import normalise_code
from elearn.certificates.forms import ReissueForm, RevokeForm
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.services import CertificateError
from elearn.extensions import db
from elearn.permissions import require_role

bp = Blueprint("certificates_admin", __name__, url_prefix="/admin/certificates")
PAGE_SIZE = 50


@bp.route("/")
@require_role(Role.ADMIN)
def index():
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(Certificate)
    if query:
        like = f"%{query.lower()}%"
        conditions = [func.lower(Certificate.holder_name).like(like),
                      func.lower(Certificate.course_title).like(like),
                      func.lower(Certificate.serial).like(like)]
        code = normalise_code(query)
        if code:
            conditions.append(Certificate.code == code)
        stmt = stmt.where(or_(*conditions))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = db.session.execute(
        stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    return render_template(
        "certificates/admin_list.html", certificates=rows, query=query, page=page, total=total,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), statuses=CertificateStatus,
    )


def _load(code: str) -> Certificate:
    return services.find_certificate(code) or abort(404, _("No such certificate."))


def _detail(certificate: Certificate, status: int = 200, **forms):
    pages = {"revoke_form": RevokeForm(),
             "reissue_form": ReissueForm(holder_name=certificate.holder.name)}
    pages.update(forms)
    return render_template("certificates/admin_detail.html", certificate=certificate,
                           statuses=CertificateStatus, **pages), status


def _refused(exc: CertificateError, field) -> None:
    """A refusal about the field shows beside it; one about the certificate as a message."""
    db.session.rollback()
    if exc.errors:
        field.errors.append(exc.message)
    else:
        flash(exc.message, "error")


@bp.route("/<code>")
@require_role(Role.ADMIN)
def detail(code: str):
    return _detail(_load(code))


@bp.route("/<code>/revoke", methods=["POST"])
@require_role(Role.ADMIN)
def revoke(code: str):
    certificate = _load(code)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(certificate, by=current_user, reason=form.reason.data)
        except CertificateError as exc:
            _refused(exc, form.reason)
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s is revoked.", serial=certificate.serial), "success")
            return redirect(url_for("certificates_admin.detail", code=certificate.code))
    return _detail(certificate, 400, revoke_form=form)


@bp.route("/<code>/reissue", methods=["POST"])
@require_role(Role.ADMIN)
def reissue(code: str):
    certificate = _load(code)
    form = ReissueForm()
    if form.validate_on_submit():
        try:
            new = services.reissue_certificate(certificate, by=current_user,
                                               holder_name=form.holder_name.data)
        except CertificateError as exc:
            _refused(exc, form.holder_name)
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s replaces %(old)s; the holder has been told by "
                    "e-mail.", serial=new.serial, old=certificate.serial), "success")
            return redirect(url_for("certificates_admin.detail", code=new.code))
    return _detail(certificate, 400, reissue_form=form)
