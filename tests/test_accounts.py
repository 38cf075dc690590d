"""Sign-up, verification, login, password reset, profile, roles, tokens."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from elearn.accounts.models import ApiToken, User
from elearn.mail.models import OutboxMessage

SIGNUP = {
    "name": "Amina Diallo",
    "email": "Amina.Diallo@Example.org",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
    "country": "SN",
    "organisation": "Direction générale des douanes",
    "locale": "fr",
    "timezone": "Africa/Dakar",
}


def outbox(db, to: str) -> list[OutboxMessage]:
    return list(db.session.execute(
        select(OutboxMessage).where(OutboxMessage.recipient == to).order_by(OutboxMessage.id)
    ).scalars())


def link_in(message: OutboxMessage, path: str) -> str:
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S+", message.body_text)
    assert match, message.body_text
    return match.group(0)


def test_signup_verify_login_logout(client, db):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 200
    assert "amina.diallo@example.org" in response.get_data(as_text=True).lower()
    user = db.session.execute(select(User)).scalar_one()
    assert user.email == "amina.diallo@example.org"
    assert user.name == "Amina Diallo" and user.country == "SN"
    assert user.locale == "fr" and user.timezone == "Africa/Dakar"
    assert not user.is_verified
    assert user.password_hash.startswith("scrypt:")

    # Not verified yet: login is refused with a clear message and a fresh link.
    response = client.post("/login", data={"email": SIGNUP["email"],
                                           "password": SIGNUP["password"]})
    assert response.status_code == 200
    [first, second] = outbox(db, user.email)
    assert first.language == "fr"
    assert "Confirmez" in first.subject
    link = link_in(first, "/verify-email/")
    assert link.startswith("http://elearn.test/verify-email/")

    response = client.get(link.removeprefix("http://elearn.test"))
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.is_verified

    response = client.post("/login", data={"email": "AMINA.diallo@example.org",
                                           "password": SIGNUP["password"]})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_signup_form_errors_are_shown_and_nothing_is_written(client, db):
    bad = dict(SIGNUP, email="not-an-email", password="short", confirm="other",
               country="XX", timezone="Mars/Olympus")
    response = client.post("/signup", data=bad)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "Use at least 10 characters." in html or "au moins 10" in html
    assert db.session.execute(select(User)).first() is None


def test_signup_with_a_taken_address_looks_the_same(client, db, make_user):
    owner = make_user(email="taken@example.org")
    first = client.post("/signup", data=dict(SIGNUP, email="taken@example.org"))
    other = client.post("/signup", data=dict(SIGNUP, email="free@example.org"))
    assert first.status_code == other.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "")  # noqa: E731
    assert strip(first, "taken@example.org") == strip(other, "free@example.org")
    assert len(db.session.execute(select(User)).all()) == 2
    [note] = outbox(db, owner.email)
    assert note.template == "accounts/signup_existing"


def test_login_wrong_password_and_unknown_email_say_the_same(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "who@example.org", "password": "x" * 12})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong e-mail address or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail address or password." in unknown.get_data(as_text=True)


def test_login_redirects_only_within_the_site(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": "correct horse battery"}
    response = client.post("/login?next=/account", data=data)
    assert response.headers["Location"] == "/account"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.post("/login", query_string={"next": evil}, data=data)
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email,
                                           "password": "correct horse battery",
                                           "remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_password_reset_is_single_use_and_built_from_base_url(client, db, make_user):
    user = make_user()
    response = client.post("/reset-password", data={"email": user.email},
                           headers={"Host": "attacker.example"})
    assert response.status_code == 200
    [message] = outbox(db, user.email)
    link = link_in(message, "/reset-password/")
    assert link.startswith("http://elearn.test/reset-password/")
    path = link.removeprefix("http://elearn.test")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "brand new secret",
                                       "confirm": "brand new secret"})
    assert response.status_code == 302
    # Used once: the link no longer works.
    assert client.get(path).status_code == 400
    assert client.post("/login", data={"email": user.email,
                                       "password": "brand new secret"}).status_code == 302


def test_password_reset_links_expire(app, client, db, make_user):
    from itsdangerous import URLSafeTimedSerializer

    user = make_user()
    client.post("/reset-password", data={"email": user.email})
    [message] = outbox(db, user.email)
    path = link_in(message, "/reset-password/").removeprefix("http://elearn.test")
    app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(seconds=-1)
    try:
        response = client.get(path)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = timedelta(hours=2)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    forged = URLSafeTimedSerializer("wrong key", salt="reset-password").dumps({"uid": user.id})
    assert client.get(f"/reset-password/{forged}").status_code == 400


def test_password_reset_for_unknown_email_looks_the_same(client, db, make_user):
    user = make_user()
    known = client.post("/reset-password", data={"email": user.email})
    unknown = client.post("/reset-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert len(outbox(db, "nobody@example.org")) == 0


def test_profile_changes_name_language_and_zone(client, db, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account", data={
        "name": "Zoë Ñúñez", "locale": "es", "timezone": "America/Lima",
        "country": "PE", "organisation": "SUNAT",
    })
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.locale, user.timezone, user.country) == (
        "Zoë Ñúñez", "es", "America/Lima", "PE")
    assert 'lang="es"' in client.get("/account").get_data(as_text=True)


def test_password_change_needs_the_current_password(client, db, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/password", data={
        "current_password": "wrong password!", "password": "another secret here",
        "confirm": "another secret here"})
    assert response.status_code == 400
    response = client.post("/account/password", data={
        "current_password": "correct horse battery", "password": "another secret here",
        "confirm": "another secret here"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # still signed in here
    other = client.application.test_client()
    assert other.post("/login", data={"email": user.email,
                                      "password": "another secret here"}).status_code == 302


def test_password_change_ends_other_sessions(app, db, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/login", data={"email": user.email, "password": "correct horse battery"})
    first.post("/account/password", data={
        "current_password": "correct horse battery", "password": "another secret here",
        "confirm": "another secret here"})
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_email_change_needs_password_and_confirmation(client, db, make_user, login):
    user = make_user(email="old@example.org")
    login(user)
    response = client.post("/account/email", data={"current_password": "bad password",
                                                    "email": "new@example.org"})
    assert response.status_code == 400
    response = client.post("/account/email", data={"current_password": "correct horse battery",
                                                   "email": "new@example.org"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "old@example.org"  # unchanged until confirmed
    [message] = outbox(db, "new@example.org")
    client.get(link_in(message, "/verify-email/").removeprefix("http://elearn.test"))
    db.session.refresh(user)
    assert user.email == "new@example.org"


def test_admin_lists_users_and_changes_roles(client, db, make_user, login):
    admin = make_user(role="admin", name="Admin")
    learner = make_user(name="Learner Person")
    login(admin)
    page = client.get("/admin/users?q=learner").get_data(as_text=True)
    assert "Learner Person" in page and "Admin</td>" not in page
    response = client.post(f"/admin/users/{learner.id}/role", data={"role": "trainer"})
    assert response.status_code == 302
    db.session.refresh(learner)
    assert learner.role == "trainer"


def test_learners_and_trainers_cannot_reach_admin(client, make_user, login):
    assert client.get("/admin/users").status_code == 302  # to the login page
    trainer = make_user(role="trainer")
    login(trainer)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{trainer.id}/role", data={"role": "admin"}).status_code == 403


def test_tokens_are_created_shown_once_stored_hashed_and_revoked(client, db, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/tokens", data={"name": "reporting script"})
    plain = re.search(r'value="(el_[^"]+)"', response.get_data(as_text=True)).group(1)
    token = db.session.execute(select(ApiToken)).scalar_one()
    assert plain not in (token.token_hash, token.prefix) and token.prefix == plain[:10]
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert plain not in client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{token.id}/revoke")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_cli_creates_users_and_prints_tokens(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Boss@Example.org", "--name",
                                 "Head of Unit", "--role", "admin", "--password",
                                 "an admin secret"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User)).scalar_one()
    assert (user.email, user.role, user.is_verified) == ("boss@example.org", "admin", True)
    result = runner.invoke(args=["users", "token", "boss@example.org"])
    assert result.exit_code == 0
    plain = result.output.strip()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.get_json()["email"] == "boss@example.org"
    result = runner.invoke(args=["users", "create", "--email", "boss@example.org", "--name",
                                 "Again", "--password", "an admin secret"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_login_and_reset_are_rate_limited(app, db, make_user):
    user = make_user()
    client = app.test_client()
    codes = [client.post("/login", data={"email": user.email, "password": "wrong guess!"}
                         ).status_code for _ in range(12)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
    page = client.post("/login", data={"email": user.email, "password": "x"})
    assert "Too many requests" in page.get_data(as_text=True)
    codes = [client.post("/reset-password", data={"email": user.email}).status_code
             for _ in range(6)]
    assert codes[-1] == 429


def test_production_hash_is_scrypt_with_n_2_17():
    from config import Config

    assert Config.PASSWORD_HASH_METHOD.startswith("scrypt:131072:")
