"""How a request finds its user: the session cookie for pages, a Bearer token for the API."""

from __future__ import annotations

from functools import cache

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy import bindparam, select

from elearn.extensions import db, login_manager


@cache
def _user_statement():
    """The signed-in user's row, by id: built once, because every signed-in request runs
    it and ``Session.get`` builds and keys a new statement each time (measured alone on
    SQLite: ~260 against ~145 microseconds per load)."""
    from elearn.accounts.models import User

    return select(User).where(User.id == bindparam("user_id"))


def load_user(session_id: str):
    """The user a session names (``"id:stamp"``), if still active and the password has
    not changed since the session began (a change ends every other session)."""
    user_id, _, stamp = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.execute(_user_statement(), {"user_id": int(user_id)}).scalar()
    if user is None or not user.active:
        return None
    if stamp and stamp != str(int(user.password_changed_at.timestamp() * 1_000_000)):
        return None
    return user


def unauthorized():
    from elearn.errors import error_response, wants_json

    if wants_json():
        return error_response(401, str(_l("A valid API token is required.")))
    flash(_l("Please sign in to see this page."), "info")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def authenticate_api_request() -> None:
    """API requests authenticate by token only, never by the session cookie.

    Ignoring the cookie keeps the CSRF-exempt API safe from cross-site requests.
    """
    if not request.path.startswith("/api/"):
        return
    from elearn.accounts.services import user_for_api_token

    user = None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = user_for_api_token(token.strip())
    login_manager._update_request_context_with_user(user or AnonymousUserMixin())
    g.api_request = True


def setup_login(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    app.before_request(authenticate_api_request)
