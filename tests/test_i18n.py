"""Languages: choice of locale, the switcher, right-to-left, complete catalogues."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "elearn" / "translations"


def test_accept_language_picks_french(client):
    html = client.get("/login", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}
                      ).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html
    assert "Se connecter" in html


def test_english_is_the_default(client):
    html = client.get("/login", headers={"Accept-Language": "de, it"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Sign in" in html


def test_switcher_works_without_javascript(client):
    response = client.post("/language", data={"lang": "fr", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
    # A new account starts in the language chosen, whatever the browser asks for.
    signup = client.get("/signup", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option selected value="fr">' in signup or '<option value="fr" selected' in signup
    assert client.post("/language", data={"lang": "xx"}).status_code == 302
    assert "Se connecter" in client.get("/login").get_data(as_text=True)  # still French
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"


def test_arabic_lays_out_right_to_left(client):
    client.post("/language", data={"lang": "ar"})
    assert 'dir="rtl"' in client.get("/").get_data(as_text=True)


def test_signed_in_users_language_wins_and_switching_saves_it(client, db, make_user, login):
    user = make_user(locale="fr")
    login(user)
    html = client.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="fr"' in html
    client.post("/language", data={"lang": "ru"})
    db.session.refresh(user)
    assert user.locale == "ru"
    # The choice outlasts signing out (a cookie as well as the profile).
    token = client.get("/logout").get_data(as_text=True).split('name="csrf_token"')[1]
    client.post("/logout", data={"csrf_token": token.split('value="')[1].split('"')[0]})
    assert client.get("/account").status_code == 302  # signed out
    assert '<html lang="ru"' in client.get("/login", headers={"Accept-Language": "en"}
                                           ).get_data(as_text=True)


@pytest.mark.parametrize("language", ["fr", "es", "ar", "ru", "zh"])
def test_catalogue_is_complete(language):
    """Every interface string has a translation that keeps its placeholders."""
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = read_po(handle)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert not missing, f"not in the {language} catalogue: {missing[:5]}"
    untranslated = [m.id for m in catalog if m.id and (
        not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated, f"untranslated in {language}: {untranslated[:5]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:5]}"
    errors = [(m.id, e) for m in catalog for e in m.check(catalog)]
    assert not errors, errors[:5]


def test_anonymous_pages_set_no_session_cookie(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    for path in ("/", "/courses/", "/webinars/"):
        response = client.get(path, headers={"Accept-Language": "fr"})
        assert "Set-Cookie" not in response.headers, path
        assert 'name="csrf_token"' not in response.get_data(as_text=True), path
