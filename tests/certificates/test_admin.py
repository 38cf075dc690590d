"""An admin finds, revokes and reissues certificates, on the pages and on the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.certificates import services
from elearn.certificates.models import Certificate
from elearn.extensions import db as _db
from elearn.mail.models import OutboxMessage

from .conftest import pdf_text


def find_certificate(code):
    """The certificate as the database has it now (requests ran in sessions of their own)."""
    _db.session.expire_all()
    return services.find_certificate(code)


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", name="Secretariat Admin")


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_only_admins_see_the_certificate_pages(client, login, make_user, certificate, role):
    login(make_user(role=role))
    assert client.get("/admin/certificates/").status_code == 403
    assert client.get(f"/admin/certificates/{certificate.code}").status_code == 403
    response = client.post(f"/admin/certificates/{certificate.code}/revoke",
                           data={"reason": "x"})
    assert response.status_code == 403
    assert find_certificate(certificate.code).is_valid


def test_admin_finds_a_certificate_by_name_serial_or_code(client, login, admin, certificate):
    login(admin)
    for query in ("amina", certificate.serial, certificate.code_display.lower()):
        html = client.get("/admin/certificates/", query_string={"q": query}).get_data(True)
        assert certificate.serial in html, query
    html = client.get("/admin/certificates/", query_string={"q": "nobody"}).get_data(True)
    assert certificate.serial not in html


def test_admin_revokes_with_a_reason(client, login, admin, certificate):
    login(admin)
    response = client.post(f"/admin/certificates/{certificate.code}/revoke",
                           data={"reason": "  "})
    assert response.status_code == 400
    assert find_certificate(certificate.code).is_valid
    response = client.post(f"/admin/certificates/{certificate.code}/revoke",
                           data={"reason": "Attended under another person's name."})
    assert response.status_code == 302
    revoked = find_certificate(certificate.code)
    assert revoked.status == "revoked" and revoked.revoked_by.id == admin.id
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Attended under another person&#39;s name." in html


def test_admin_reissues_after_a_name_correction(client, login, admin, db, certificate):
    login(admin)
    page = client.get(f"/admin/certificates/{certificate.code}").get_data(as_text=True)
    assert 'value="Amina Diallo"' in page  # the profile's name, to correct
    response = client.post(f"/admin/certificates/{certificate.code}/reissue",
                           data={"holder_name": "Aminata  Diallo Sow"})
    assert response.status_code == 302
    old = find_certificate(certificate.code)
    new = old.replaced_by
    assert old.status == "replaced" and new.is_valid
    assert response.headers["Location"] == f"/admin/certificates/{new.code}"
    assert new.holder_name == "Aminata Diallo Sow"
    assert new.serial != old.serial and new.code != old.code
    assert new.course_title == old.course_title and new.completion_id == old.completion_id
    assert new.issued_by.id == admin.id
    assert "Aminata Diallo Sow" in pdf_text(new.pdf)
    mails = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.template == "certificates/reissued")
    ).scalars().all()
    [mail] = mails
    assert mail.recipient == "amina@douanes.example.sn"
    assert f"/verify/{new.code}" in mail.body_text and old.serial in mail.body_text
    # Replaced once; a second reissue of the old one is refused.
    again = client.post(f"/admin/certificates/{certificate.code}/reissue",
                        data={"holder_name": "Someone Else"})
    assert again.status_code == 400
    assert "already been replaced" in again.get_data(as_text=True)
    assert len(db.session.execute(select(Certificate)).scalars().all()) == 2


def test_the_command_line_revokes_and_reissues(app, db, admin, certificate):
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["certificates", "show", certificate.code_display.lower()])
    assert shown.exit_code == 0 and certificate.serial in shown.output
    result = runner.invoke(args=["certificates", "reissue", certificate.code,
                                 "--name", "Aminata Diallo", "--by", admin.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    new = find_certificate(certificate.code).replaced_by
    assert new.holder_name == "Aminata Diallo"
    result = runner.invoke(args=["certificates", "revoke", new.code, "--reason", "Test",
                                 "--by", admin.email])
    assert result.exit_code == 0 and "revoked" in result.output
    refused = runner.invoke(args=["certificates", "revoke", new.code, "--reason", "Again",
                                  "--by", certificate.holder.email])
    assert refused.exit_code != 0 and "not an admin" in refused.output
    unknown = runner.invoke(args=["certificates", "show", "7K3MQ9XP4HTD2WRA"])
    assert unknown.exit_code != 0 and "No such certificate." in unknown.output


def test_refusals_say_why(db, admin, certificate):
    from elearn.certificates.services import (
        CertificateError,
        reissue_certificate,
        revoke_certificate,
    )

    with pytest.raises(CertificateError) as empty_name:
        reissue_certificate(certificate, by=admin, holder_name="   ")
    assert empty_name.value.status == 422 and "holder_name" in empty_name.value.errors
    revoke_certificate(certificate, by=admin, reason="Wrong course.")
    with pytest.raises(CertificateError) as twice:
        revoke_certificate(certificate, by=admin, reason="Again.")
    assert twice.value.status == 409
    # A certificate revoked by mistake can still be reissued: the new one is valid and the
    # old one keeps its revocation on record.
    new = reissue_certificate(certificate, by=admin, holder_name="Amina Diallo")
    db.session.commit()
    assert new.is_valid and certificate.status == "revoked"
    assert certificate.replaced_by.id == new.id
