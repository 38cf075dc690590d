"""Certificate pages: public verification (page and Open Badges credential), the holder's
list and the PDF download.

Verification needs no login and is rate-limited (``ratelimit.verification_limit``). An
unknown code is a plain 404; so is a PDF asked for by anyone but its holder, a trainer or
an admin, so codes cannot be probed.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from elearn.certificates import services
from elearn.certificates.badge import MEDIA_TYPE, badge_credential
from elearn.certificates.codes import normalise_code
from elearn.certificates.courseinfo import course_facts
from elearn.certificates.forms import LookupForm
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.ratelimit import verification_limit
from elearn.extensions import db, login_manager
from elearn.pagecache import cached_render
from elearn.permissions import require_login
from elearn.readonly import reads_only

bp = Blueprint("certificates", __name__)


def _no_such_certificate():
    abort(404, _("No such certificate."))


def _load(code: str) -> Certificate:
    certificate = services.find_certificate(code)
    if certificate is None:
        _no_such_certificate()
    return certificate


def _private(response, *, index: bool = False):
    response.headers["Cache-Control"] = "no-cache"
    if not index:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/verify")
@verification_limit
def lookup():
    form = LookupForm(request.args)
    if "code" in request.args and form.validate():
        code = normalise_code(form.code.data)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors.append(_("This is not a verification code: check what you typed."))
    status = 400 if form.errors else 200
    return render_template("certificates/lookup.html", form=form), status


@bp.route("/verify/<code>")
@verification_limit
@reads_only
def verify(code: str):
    # The page is kept under everything that can change it, so a revocation shows at once;
    # a visitor's page from the cache needs no more than this row.
    state = services.certificate_state(code)
    if state is None:
        _no_such_certificate()
    html = cached_render(state, lambda: _verification_page(state[0]))
    return _private(current_app.make_response(html))


def _verification_page(code: str) -> str:
    certificate = _load(code)
    return render_template(
        "certificates/verify.html", certificate=certificate, statuses=CertificateStatus,
        badge_url=url_for("certificates.badge", code=certificate.code),
        can_download=services.can_download(current_user, certificate),
    )


@bp.route("/verify/<code>/badge.json")
@verification_limit
@reads_only
def badge(code: str):
    certificate = services.find_certificate(code)
    if certificate is None:
        response = jsonify(code=404, status="Not found", message=_("No such certificate."))
        response.status_code = 404
        return response
    if not certificate.is_valid:
        response = jsonify(
            code=410, status="Gone", certificate_status=certificate.status.value,
            message=_("This certificate is no longer valid: see its verification page."),
            verification_url=services.verify_url(certificate),
        )
        response.status_code = 410
        return _private(response)
    facts = course_facts(certificate.course_id, certificate.language)
    credential = badge_credential(
        certificate, achievement_id=facts.url, description=facts.summary,
        pass_mark=facts.pass_mark,
    )
    response = jsonify(credential)
    response.mimetype = MEDIA_TYPE
    return _private(response)


@bp.route("/certificates")
@require_login
def mine():
    return render_template(
        "certificates/mine.html", certificates=services.certificates_of(current_user),
        statuses=CertificateStatus,
    )


@bp.route("/certificates/<code>.pdf")
def download(code: str):
    # Visitors are sent to sign in whatever the code, so this reveals nothing either.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    certificate = services.find_certificate(code)
    if certificate is None or not services.can_download(current_user, certificate):
        _no_such_certificate()
    pdf = db.session.execute(
        db.select(Certificate.pdf).where(Certificate.id == certificate.id)
    ).scalar_one()
    response = send_file(
        io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
        download_name=f"certificate-{certificate.serial}.pdf", etag=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response

