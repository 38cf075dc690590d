"""GET /api/v1/certificates (the token's user's) and GET /api/v1/certificates/{code} (public
verification, no token, rate-limited with the verification page)."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from elearn.api.auth import token_required
from elearn.certificates import services
from elearn.certificates.ratelimit import verification_limit
from elearn.errors import DomainError
from elearn.readonly import reads_only

blp = Blueprint("certificates_api", __name__, url_prefix="/api/v1/certificates",
                description="Completion certificates and their verification")


class CertificateSchema(Schema):
    serial = fields.Str(metadata={"description": "Human-friendly serial number"})
    code = fields.Str(attribute="code_display",
                      metadata={"description": "Verification code, grouped for typing"})
    status = fields.Function(lambda c: c.status.value,
                             metadata={"description": "valid, revoked or replaced"})
    valid = fields.Bool(attribute="is_valid")
    holder_name = fields.Str()
    course_title = fields.Str()
    theme_title = fields.Str()
    language = fields.Str()
    score = fields.Float(allow_none=True)
    issuer = fields.Str()
    completed_at = fields.DateTime(attribute="completion.completed_at")
    issued_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    revocation_reason = fields.Function(lambda c: c.revocation_reason or None, allow_none=True)
    replaced_at = fields.DateTime(allow_none=True)
    replaced_by = fields.Function(
        lambda c: c.replaced_by.code_display if c.replaced_by else None, allow_none=True,
        metadata={"description": "Code of the certificate that replaces this one"},
    )
    verification_url = fields.Function(services.verify_url)
    badge_url = fields.Function(services.badge_url)


class OwnCertificateSchema(CertificateSchema):
    pdf_url = fields.Function(services.pdf_url)


@blp.route("")
class Certificates(MethodView):
    @token_required()
    @blp.response(200, OwnCertificateSchema(many=True))
    def get(self):
        """The authenticated user's certificates, newest first (revoked and replaced too)."""
        return services.certificates_of(current_user)


@blp.route("/<code>")
class CertificateByCode(MethodView):
    decorators = [reads_only, verification_limit]

    @blp.doc(security=[])
    @blp.response(200, CertificateSchema)
    def get(self, code: str):
        """Verify a certificate by its code (any case, dashes optional). No token needed."""
        certificate = services.find_certificate(code)
        if certificate is None:
            raise DomainError(_("No such certificate."), status=404)
        return certificate
