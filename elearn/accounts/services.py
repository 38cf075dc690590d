"""What accounts do: sign-up, verification, login checks, password reset, tokens, roles.

Functions here change the session and flush; the caller commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from elearn.accounts.models import ApiToken, Role, User
from elearn.db import utcnow
from elearn.errors import DomainError
from elearn.extensions import db
from elearn.mail.services import queue_mail

#: A hash of a random password: makes "unknown e-mail" take as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}
MIN_PASSWORD_LENGTH = 10


class AccountError(DomainError):
    """A sign-up, login or token operation was refused."""


# -- passwords ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def validate_password(password: str, *, email: str = "", name: str = "") -> str | None:
    """A reason the password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    lowered = password.lower()
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) > 3:
        return _("The password must not contain your e-mail address.")
    if len(set(password)) < 4:
        return _("The password is too easy to guess.")
    return None


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None. Same cost for unknown e-mails."""
    user = find_user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = hash_password(secrets.token_hex(16))
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


# -- sign-up and verification ------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def external_url(path: str) -> str:
    """An absolute link built from BASE_URL, never from the request's Host header."""
    return current_app.config["BASE_URL"] + path


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    country: str,
    organisation: str = "",
    locale: str = "en",
    timezone: str = "UTC",
    role: Role | str = Role.LEARNER,
    verified: bool = False,
) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."), status=409)
    user = User(
        email=email,
        name=name.strip(),
        country=country.upper(),
        organisation=organisation.strip(),
        locale=locale,
        timezone=timezone,
        role=Role(role).value,
        email_verified_at=utcnow() if verified else None,
    )
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def sign_up(**fields) -> User | None:
    """Create an unverified account and mail its verification link.

    When the address is taken, the owner gets a note instead and the caller shows the
    same page either way, so sign-up never reveals who has an account.
    """
    existing = find_user_by_email(fields["email"])
    if existing is not None:
        queue_mail(
            to=existing.email,
            template="accounts/signup_existing",
            language=existing.locale,
            context={"user": existing, "login_url": external_url("/login"),
                     "reset_url": external_url("/reset-password")},
        )
        return None
    user = create_user(**fields)
    send_verification(user)
    return user


def send_verification(user: User, new_email: str | None = None) -> None:
    """Mail a signed link proving ownership of ``new_email`` (or the current address)."""
    address = new_email or user.email
    token = _serializer("verify-email").dumps({"uid": user.id, "email": address})
    queue_mail(
        to=address,
        template="accounts/verify_email",
        language=user.locale,
        context={
            "user": user,
            "verify_url": external_url(f"/verify-email/{token}"),
            "hours": int(current_app.config["EMAIL_VERIFY_MAX_AGE"].total_seconds() // 3600),
            "changing": new_email is not None,
        },
    )


def _load_link(salt: str, token: str, max_age_key: str, expired: str, invalid: str
               ) -> tuple[dict, User | None]:
    """The data signed into an e-mailed link and the user it names; refuses bad links."""
    max_age = current_app.config[max_age_key].total_seconds()
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise AccountError(expired) from exc
    except BadSignature as exc:
        raise AccountError(invalid) from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise AccountError(invalid)
    return data, db.session.get(User, data["uid"])


def verify_email(token: str) -> User:
    data, user = _load_link(
        "verify-email", token, "EMAIL_VERIFY_MAX_AGE",
        _("This verification link has expired. Ask for a new one."),
        _("This verification link is not valid."),
    )
    if user is None:
        raise AccountError(_("This verification link is not valid."))
    address = normalise_email(data["email"])
    if address != user.email:
        other = find_user_by_email(address)
        if other is not None:
            raise AccountError(_("Another account already uses this e-mail address."), status=409)
        user.email = address
        user.email_verified_at = utcnow()
    elif user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()
    return user


# -- password reset ----------------------------------------------------------------------


def _reset_fingerprint(user: User) -> str:
    """Changes when the password changes, so a used reset link stops working."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = _serializer("reset-password").dumps({"uid": user.id, "fp": _reset_fingerprint(user)})
    queue_mail(
        to=user.email,
        template="accounts/reset_password",
        language=user.locale,
        context={
            "user": user,
            "reset_url": external_url(f"/reset-password/{token}"),
            "minutes": int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60),
        },
    )


def user_for_reset_token(token: str) -> User:
    data, user = _load_link(
        "reset-password", token, "PASSWORD_RESET_MAX_AGE",
        _("This reset link has expired. Ask for a new one."),
        _("This reset link is not valid."),
    )
    if user is None or data.get("fp") != _reset_fingerprint(user):
        raise AccountError(_("This reset link has already been used or is not valid."))
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, password)
    # Following the link proves the address too.
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.flush()
    return user


# -- profile -----------------------------------------------------------------------------


def update_profile(user: User, *, name: str, locale: str, timezone: str,
                   country: str, organisation: str) -> None:
    user.name = name.strip()
    user.locale = locale
    user.timezone = timezone
    user.country = country.upper()
    user.organisation = organisation.strip()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not correct."),
                           errors={"current_password": [_("Not correct.")]})
    set_password(user, new)
    db.session.flush()


def request_email_change(user: User, current_password: str, new_email: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError(_("The current password is not correct."),
                           errors={"current_password": [_("Not correct.")]})
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError(_("That is already your e-mail address."))
    if find_user_by_email(new_email) is None:
        send_verification(user, new_email=new_email)


def set_role(user: User, role: Role | str) -> None:
    user.role = Role(role).value
    db.session.flush()


# -- API tokens --------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    plain = "el_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip() or "token", token_hash=_token_hash(plain),
                     prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_api_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError(_("No such token."), status=404)
    db.session.delete(token)
    db.session.flush()


def user_for_api_token(plain: str) -> User | None:
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(plain))
    ).scalar_one_or_none()
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        from flask import g

        g.commit_token_use = True
    return token.user
