"""Public verification: the page, the lookup form, the JSON API and the rate limit."""

from __future__ import annotations

import pytest

from elearn.certificates.services import reissue_certificate, revoke_certificate
from tests.conftest import statements


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_a_visitor_sees_a_valid_certificate(client, certificate):
    html = _page(client, f"/verify/{certificate.code}")
    assert "Valid certificate." in html
    for shown in ("Amina Diallo", "Trade controls for customs officers", certificate.serial,
                  certificate.code_display, "Secretariat of the Stockholm Convention"):
        assert shown in html
    assert f"/verify/{certificate.code}/badge.json" in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("typed", ["grouped", "lower", "lower-grouped", "spaces"])
def test_codes_work_with_or_without_dashes_in_any_case(client, certificate, typed):
    code = {
        "grouped": certificate.code_display,
        "lower": certificate.code.lower(),
        "lower-grouped": certificate.code_display.lower(),
        "spaces": certificate.code_display.replace("-", " "),
    }[typed]
    assert certificate.serial in _page(client, f"/verify/{code}")
    body = client.get(f"/api/v1/certificates/{code}").get_json()
    assert body["serial"] == certificate.serial


@pytest.mark.parametrize("code", ["7K3M-Q9XP-4HTD-2WRA", "not-a-code", "0" * 40])
def test_an_unknown_code_is_a_plain_404(client, certificate, code):
    html = _page(client, f"/verify/{code}", 404)
    assert "No such certificate." in html
    assert certificate.holder_name not in html
    response = client.get(f"/api/v1/certificates/{code}")
    assert response.status_code == 404
    assert response.get_json()["message"] == "No such certificate."


def test_a_revoked_certificate_says_when_and_why(client, db, make_user, certificate):
    admin = make_user(role="admin")
    revoke_certificate(certificate, by=admin, reason="Issued to the wrong account.")
    db.session.commit()
    html = _page(client, f"/verify/{certificate.code_display}")
    assert "Revoked certificate." in html and "Valid certificate." not in html
    assert "Issued to the wrong account." in html
    assert "was revoked on" in html
    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert body["status"] == "revoked" and body["valid"] is False
    assert body["revocation_reason"] == "Issued to the wrong account."
    assert body["revoked_at"].startswith(certificate.revoked_at.date().isoformat())


def test_a_replaced_certificate_links_to_the_new_one(client, db, make_user, certificate):
    admin = make_user(role="admin")
    new = reissue_certificate(certificate, by=admin, holder_name="Aminata Diallo")
    db.session.commit()
    html = _page(client, f"/verify/{certificate.code}")
    assert "Replaced certificate." in html
    assert f'href="/verify/{new.code}"' in html
    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert body["status"] == "replaced" and body["replaced_by"] == new.code_display
    new_page = _page(client, f"/verify/{new.code}")
    assert "Valid certificate." in new_page and "Aminata Diallo" in new_page


def test_the_api_answers_the_certificate_without_a_token(client, certificate):
    body = client.get(f"/api/v1/certificates/{certificate.code}").get_json()
    assert body["valid"] is True and body["status"] == "valid"
    assert body["code"] == certificate.code_display
    assert body["holder_name"] == "Amina Diallo"
    assert body["course_title"] == "Trade controls for customs officers"
    assert body["verification_url"] == f"http://elearn.test/verify/{certificate.code}"
    assert "pdf_url" not in body  # the PDF is the holder's business


def test_the_lookup_form_leads_to_the_certificate(client, certificate):
    assert "Check a certificate" in _page(client, "/verify")
    response = client.get("/verify", query_string={"code": certificate.code_display.lower()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{certificate.code}"
    html = _page(client, "/verify?code=hello", 400)
    assert "This is not a verification code" in html


def test_verification_is_rate_limited(app, client, certificate):
    app.config["RATELIMIT_VERIFY"] = "3 per minute"
    try:
        for _ in range(2):
            assert client.get(f"/verify/{certificate.code}").status_code == 200
        # One budget for page and API, and unknown codes count too.
        assert client.get("/api/v1/certificates/7K3MQ9XP4HTD2WRA").status_code == 404
        assert client.get(f"/verify/{certificate.code}").status_code == 429
        response = client.get(f"/api/v1/certificates/{certificate.code}")
        assert response.status_code == 429
        assert response.get_json()["code"] == 429
    finally:
        app.config["RATELIMIT_VERIFY"] = "30 per minute;300 per hour"


def test_my_certificates_lists_the_holders_own(client, login, make_user, certificate,
                                                make_course, complete):
    other = make_user()
    complete(other, make_course(title="PCB inventories"))
    login(certificate.holder)
    html = _page(client, "/certificates")
    assert "Trade controls for customs officers" in html and certificate.serial in html
    assert f"/certificates/{certificate.code}.pdf" in html
    assert "PCB inventories" not in html


def test_my_certificates_needs_a_login(client):
    response = client.get("/certificates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_api_lists_the_tokens_users_certificates(client, api_token, make_user,
                                                     certificate, make_course, complete):
    other = make_user()
    complete(other, make_course(title="PCB inventories"))
    response = client.get("/api/v1/certificates", headers=api_token(certificate.holder))
    assert response.status_code == 200
    [listed] = response.get_json()
    assert listed["serial"] == certificate.serial
    assert listed["pdf_url"] == f"http://elearn.test/certificates/{certificate.code}.pdf"
    assert client.get("/api/v1/certificates").status_code == 401


@pytest.fixture
def kept_pages(app, monkeypatch):
    """The page cache on, as in production, and empty before and after."""
    from elearn.pagecache import EXTENSION

    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 15)
    app.extensions[EXTENSION].clear()
    yield
    app.extensions[EXTENSION].clear()


def test_a_revocation_shows_at_once_even_where_pages_are_kept(client, db, make_user,
                                                                certificate, kept_pages):
    assert "Valid certificate." in _page(client, f"/verify/{certificate.code}")
    assert "Valid certificate." in _page(client, f"/verify/{certificate.code}")
    revoke_certificate(certificate, by=make_user(role="admin"), reason="Issued in error.")
    db.session.commit()
    page = _page(client, f"/verify/{certificate.code}")
    assert "Revoked certificate." in page and "Issued in error." in page


def test_a_replacement_shows_at_once_even_where_pages_are_kept(client, db, make_user,
                                                                 certificate, kept_pages):
    assert "Valid certificate." in _page(client, f"/verify/{certificate.code}")
    new = reissue_certificate(certificate, by=make_user(role="admin"),
                              holder_name="Aminata Diallo")
    db.session.commit()
    page = _page(client, f"/verify/{certificate.code}")
    assert "Replaced certificate." in page and f'href="/verify/{new.code}"' in page


def test_a_kept_verification_page_costs_one_statement(client, db, certificate, kept_pages):
    first = _page(client, f"/verify/{certificate.code}")
    with statements(db) as sent:
        again = _page(client, f"/verify/{certificate.code}")
    assert again == first
    assert len(sent) == 1 and "FROM certificates" in sent[0], sent
    # Signed-in readers get their own page (it may offer the PDF), never the kept one.
    assert "Download the PDF" not in again


def test_the_holder_gets_the_pdf_link_where_pages_are_kept(client, login, certificate,
                                                            kept_pages):
    assert "Download the PDF" not in _page(client, f"/verify/{certificate.code}")
    login(certificate.holder)
    assert "Download the PDF" in _page(client, f"/verify/{certificate.code}")
