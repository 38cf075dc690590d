"""Home, the language switcher and the load balancers' health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from elearn.accounts.views import safe_next
from elearn.extensions import csrf, db
from elearn.i18n import LANGUAGE_COOKIE, remember_choice
from elearn.pagecache import visitor_page

bp = Blueprint("main", __name__)


@bp.route("/")
@visitor_page
def index():
    return render_template("main/index.html")


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Remember the chosen language: in a cookie, and in the profile when signed in (so it
    also outlasts signing out). Works without JS.

    Exempt from CSRF so that pages carry no token (and no session) for anonymous readers,
    which lets shared caches keep them; the worst a forged request can do is change the
    language, and SameSite=Lax keeps the session cookie off cross-site POSTs anyway.
    """
    lang = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")) or "/")
    if lang in current_app.config["LANGUAGES"]:
        remember_choice(response, LANGUAGE_COOKIE, lang)
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Health check: the database does not answer")
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")
