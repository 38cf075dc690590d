"""The application shell: health, errors, headers, configuration."""

from __future__ import annotations

import pytest

from config import ProductionConfig, TestConfig
from elearn import create_app


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_when_database_is_down(tmp_path):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 1}},
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


def test_security_headers_on_every_response(client):
    for path in ("/", "/login", "/no-such-page", "/api/v1/me"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_unknown_page_is_a_friendly_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_errors_answer_json_when_json_is_asked_for(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == 404 and body["message"]


def test_api_errors_are_json_with_code_and_message(client):
    response = client.post("/api/v1/me")
    assert response.status_code == 405
    assert response.get_json()["code"] == 405
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json


def test_method_not_allowed_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)


def test_unexpected_error_is_500_page_without_traceback():
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", PROPAGATE_EXCEPTIONS=False)

    @app.get("/_boom_test")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/_boom_test")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "secret internals" not in text and "Traceback" not in text


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_forms_are_protected_by_csrf(app, db, make_user):
    user = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email,
                                               "password": "correct horse battery"})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_need_no_javascript_and_stay_light(client):
    with client.get("/static/style.css") as response:
        css = response.get_data()
    for path in ("/", "/login", "/signup"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html
        assert len(html.encode()) + len(css) < 50_000, path


def test_base_layout_is_accessible(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<label for="lang-select">' in html
