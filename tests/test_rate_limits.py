"""Rate limits: each decorated view checks its own; the app-wide check runs only when
something app-wide is configured (``elearn.extensions._Limiter.drop_idle_check``)."""

from __future__ import annotations

import pytest

from config import TestConfig
from elearn import create_app
from elearn.extensions import limiter


def test_no_app_wide_check_when_nothing_is_app_wide(app):
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


def test_a_decorated_view_is_still_limited_and_says_so(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    form = {"email": "nobody@example.org", "password": "not the password"}
    first = client.post("/login", data=form)
    assert first.status_code == 200  # the form again, with its error
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert client.post("/login", data=form).status_code == 200
    assert client.post("/login", data=form).status_code == 429
    # A page without a limit is not counted against anything, nor limited.
    for _ in range(3):
        response = client.get("/login")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


@pytest.fixture
def fresh_limits(monkeypatch):
    """The limiter is one object for every app: keep what a test configures to itself."""
    manager = limiter.limit_manager
    monkeypatch.setattr(manager, "_application_limits", [])
    monkeypatch.setattr(manager, "_default_limits", [])


@pytest.mark.parametrize("setting", ["RATELIMIT_APPLICATION", "RATELIMIT_DEFAULT"])
def test_an_app_wide_limit_keeps_the_check(fresh_limits, tmp_path, setting):
    application = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limits.db'}",
        **{setting: "2 per minute"},
    )
    assert limiter._check_request_limit in application.before_request_funcs[None]
    client = application.test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
