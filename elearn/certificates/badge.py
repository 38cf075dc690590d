"""The Open Badges 3.0 credential of a certificate (``/verify/<code>/badge.json``).

An ``OpenBadgeCredential`` in the W3C Verifiable Credentials 2.0 data model, as 1EdTech's
Open Badges 3.0 describes it: the issuer's profile, the achievement (the course) with its
criteria, and the holder identified by name. It is *unsigned*: it carries no proof, so a
verifier trusts it by fetching it from this site over HTTPS, where its ``id`` (the
verification page) says whether it is still valid.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from elearn.accounts.services import external_url
from elearn.certificates.models import Certificate
from elearn.certificates.services import verify_url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MEDIA_TYPE = "application/vc+ld+json"


def _iso(moment) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issuer_profile(certificate: Certificate) -> dict:
    home = external_url("/")
    return {"id": home, "type": ["Profile"], "name": certificate.issuer, "url": home}


def criteria_narrative(certificate: Certificate, pass_mark: int | None) -> str:
    with force_locale(certificate.language):
        if pass_mark is None:
            return _("Complete every module of the course.")
        return _("Complete every module of the course and pass its closing quiz with at least "
                 "%(mark)d%%.", mark=pass_mark)


def badge_credential(certificate: Certificate, *, achievement_id: str, description: str,
                     pass_mark: int | None) -> dict:
    """The credential as a JSON-ready dict.

    ``achievement_id`` is the course's address (the same for everyone who completes it),
    ``description`` what the course is about, ``pass_mark`` its quiz's pass mark or None.
    """
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.course_title,
        "description": description or certificate.course_title,
        "criteria": {"narrative": criteria_narrative(certificate, pass_mark)},
        "inLanguage": certificate.language,
        "creator": issuer_profile(certificate),
    }
    if certificate.theme_title:
        achievement["fieldOfStudy"] = certificate.theme_title
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.course_title,
        "issuer": issuer_profile(certificate),
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.holder_name,
            }],
            "activityEndDate": _iso(certificate.completion.completed_at),
            "achievement": achievement,
        },
    }
    if certificate.score is not None:
        score_id = f"{achievement_id}#score"
        with force_locale(certificate.language):
            score_name = _("Closing quiz score")
        achievement["resultDescription"] = [{
            "id": score_id, "type": ["ResultDescription"], "name": score_name,
            "resultType": "Percent",
        }]
        credential["credentialSubject"]["result"] = [{
            "type": ["Result"], "resultDescription": score_id,
            "value": f"{certificate.score:g}",
        }]
    return credential
