"""The PDF download (holder, trainers, admins only) and the Open Badges 3.0 credential."""

from __future__ import annotations

import pytest

from elearn.certificates.services import revoke_certificate


def test_the_holder_downloads_the_stored_pdf(client, login, db, certificate):
    login(certificate.holder)
    response = client.get(f"/certificates/{certificate.code_display.lower()}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == certificate.pdf
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and f"certificate-{certificate.serial}.pdf" in disposition
    assert "private" in response.headers["Cache-Control"]


def test_the_verification_page_offers_the_pdf_only_to_those_who_may_have_it(
        client, login, make_user, certificate):
    link = f'href="/certificates/{certificate.code}.pdf"'
    assert link not in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    login(make_user())
    assert link not in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    client.post("/logout")
    login(certificate.holder)
    assert link in client.get(f"/verify/{certificate.code}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_trainers_and_admins_download_it_too(client, login, make_user, certificate, role):
    login(make_user(role=role))
    response = client.get(f"/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.data == certificate.pdf


def test_another_learner_gets_404_as_for_an_unknown_code(client, login, make_user, certificate):
    login(make_user())
    for code in (certificate.code, "7K3MQ9XP4HTD2WRA"):
        response = client.get(f"/certificates/{code}.pdf")
        assert response.status_code == 404
        assert b"%PDF" not in response.data


def test_a_visitor_is_asked_to_sign_in_whatever_the_code(client, certificate):
    for code in (certificate.code, "7K3MQ9XP4HTD2WRA"):
        response = client.get(f"/certificates/{code}.pdf")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_badge_is_an_open_badges_3_credential(client, certificate):
    response = client.get(f"/verify/{certificate.code_display}/badge.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    badge = response.get_json()
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"http://elearn.test/verify/{certificate.code}"
    assert badge["issuer"] == {"id": "http://elearn.test/", "type": ["Profile"],
                               "name": "Secretariat of the Stockholm Convention",
                               "url": "http://elearn.test/"}
    assert badge["validFrom"].endswith("Z")
    assert badge["validFrom"].startswith(certificate.issued_at.date().isoformat())
    assert "proof" not in badge  # unsigned: verified by fetching it from this site
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"][0]["identityHash"] == "Amina Diallo"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == f"http://elearn.test/courses/{certificate.course.slug}"
    assert achievement["name"] == "Trade controls for customs officers"
    assert achievement["description"] == "Stop illegal trade."
    assert achievement["criteria"]["narrative"] == "Complete every module of the course."


def test_the_badge_criteria_name_the_pass_mark_and_the_result_the_score(
        db, certificate, make_course):
    from elearn.certificates.badge import badge_credential

    certificate.score = 87.5
    badge = badge_credential(certificate, achievement_id="http://elearn.test/courses/x",
                             description="About POPs.", pass_mark=80)
    achievement = badge["credentialSubject"]["achievement"]
    assert "at least 80%" in achievement["criteria"]["narrative"]
    [result] = badge["credentialSubject"]["result"]
    assert result["value"] == "87.5"
    assert result["resultDescription"] == achievement["resultDescription"][0]["id"]
    db.session.rollback()


def test_no_badge_for_unknown_revoked_or_replaced_certificates(client, db, make_user,
                                                               certificate):
    response = client.get("/verify/7K3MQ9XP4HTD2WRA/badge.json")
    assert response.status_code == 404
    assert response.get_json()["message"] == "No such certificate."
    revoke_certificate(certificate, by=make_user(role="admin"), reason="Wrong person.")
    db.session.commit()
    response = client.get(f"/verify/{certificate.code}/badge.json")
    assert response.status_code == 410
    body = response.get_json()
    assert body["certificate_status"] == "revoked"
    assert body["verification_url"] == f"http://elearn.test/verify/{certificate.code}"
