"""The JSON API skeleton."""

from __future__ import annotations


def test_me_returns_the_tokens_user(client, make_user, api_token):
    user = make_user(name="Ivan Petrov", locale="ru", timezone="Europe/Moscow", role="trainer")
    response = client.get("/api/v1/me", headers=api_token(user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id
    assert {k: body[k] for k in ("name", "email", "role", "locale", "timezone")} == {
        "name": "Ivan Petrov", "email": user.email, "role": "trainer", "locale": "ru",
        "timezone": "Europe/Moscow"}


def test_me_without_or_with_a_bad_token_is_401_json(client):
    for headers in ({}, {"Authorization": "Bearer el_not-a-token"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["code"] == 401
        assert response.get_json()["message"]


def test_api_ignores_the_session_cookie(client, make_user, login):
    login(make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
