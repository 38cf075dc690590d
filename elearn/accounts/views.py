"""Account pages: /signup, /login, /logout, /reset-password, /account."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from elearn.accounts import services
from elearn.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    ResendVerificationForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
    TokenForm,
)
from elearn.accounts.services import AccountError
from elearn.extensions import db, limiter
from elearn.i18n import TIMEZONE_COOKIE
from elearn.permissions import require_login

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _limit(key: str):
    return limiter.limit(lambda: current_app.config[key], methods=["POST"])


@bp.route("/signup", methods=["GET", "POST"])
@_limit("RATELIMIT_SIGNUP")
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if request.method == "GET":
        form.locale.data = form.locale.data or str(get_locale())  # the page's language
        form.timezone.data = form.timezone.data or request.cookies.get(TIMEZONE_COOKIE) or "UTC"
    if form.validate_on_submit():
        services.sign_up(
            email=form.email.data, name=form.name.data, password=form.password.data,
            country=form.country.data, organisation=form.organisation.data or "",
            locale=form.locale.data, timezone=form.timezone.data,
        )
        db.session.commit()
        return render_template("accounts/check_inbox.html", email=form.email.data)
    return render_template("accounts/signup.html", form=form)


@bp.route("/verify-email/<token>")
def verify_email(token: str):
    try:
        user = services.verify_email(token)
    except AccountError as exc:
        db.session.rollback()
        return render_template("accounts/verify_failed.html", message=exc.message,
                               form=ResendVerificationForm()), 400
    db.session.commit()
    flash(_("Your e-mail address %(email)s is confirmed.", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.login"))


@bp.route("/verify-email", methods=["POST"])
@_limit("RATELIMIT_RESET")
def resend_verification():
    form = ResendVerificationForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and not user.is_verified:
            services.send_verification(user)
            db.session.commit()
    return render_template("accounts/check_inbox.html", email=form.email.data)


@bp.route("/login", methods=["GET", "POST"])
@_limit("RATELIMIT_LOGIN")
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None or not user.active:
            form.password.errors.append(_("Wrong e-mail address or password."))
        elif not user.is_verified:
            services.send_verification(user)
            db.session.commit()
            form.email.errors.append(
                _("Please confirm your e-mail address first: we have sent you a new link.")
            )
        else:
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(target or url_for("main.index"))
    return render_template("accounts/login.html", form=form, next=target)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token
        logout_user()
        flash(_("You are signed out."), "info")
        return redirect(url_for("main.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("accounts/logout.html")


@bp.route("/reset-password", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@_limit("RATELIMIT_RESET")
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except AccountError as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. You can sign in now."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


def _account_page(status: int = 400, **forms):
    """The account page; after a failed POST, that form shows its errors (400)."""
    pages = {"form": ProfileForm(obj=current_user), "password_form": ChangePasswordForm(),
             "email_form": ChangeEmailForm(), "token_form": TokenForm()}
    pages.update(forms)
    return render_template("accounts/account.html", **pages), status


@bp.route("/account", methods=["GET", "POST"])
@require_login
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, name=form.name.data, locale=form.locale.data,
            timezone=form.timezone.data, country=form.country.data,
            organisation=form.organisation.data or "",
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(400 if form.errors else 200, form=form)


@bp.route("/account/password", methods=["POST"])
@require_login
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            form.current_password.errors.append(exc.message)
        else:
            db.session.commit()
            # The session id includes the password time: renew it for this session.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=form)


@bp.route("/account/email", methods=["POST"])
@require_login
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.current_password.data,
                                          form.email.data)
        except AccountError as exc:
            db.session.rollback()
            field = form.current_password if exc.errors else form.email
            field.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("We have sent a confirmation link to %(email)s. Your address changes when "
                    "you follow it.", email=form.email.data), "info")
            return redirect(url_for("accounts.account"))
    return _account_page(email_form=form)


@bp.route("/account/tokens", methods=["POST"])
@require_login
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        token, plain = services.create_api_token(current_user, form.name.data)
        db.session.commit()
        return render_template("accounts/token_created.html", token=token, plain=plain)
    return _account_page(token_form=form)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@require_login
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash(_("The token has been revoked."), "info")
    return redirect(url_for("accounts.account"))
