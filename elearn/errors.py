"""Error handlers: roll back, then answer HTML or JSON by what the client asked for.

No stack trace ever reaches a user; 500s are logged with their traceback.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from elearn.extensions import db


class DomainError(Exception):
    """A rule of the platform said no. Views turn it into a form error or a JSON 4xx.

    Subclasses set ``status`` and a translated message.
    """

    status = 400

    def __init__(self, message: str, *, errors: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if status is not None:
            self.status = status


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        401: (_("Sign-in required"), _("Please sign in to continue.")),
        403: (_("Forbidden"), _("You do not have permission to do that.")),
        404: (_("Page not found"), _("There is nothing at this address.")),
        405: (_("Method not allowed"), _("This address does not accept that method.")),
        409: (_("Conflict"), _("The request conflicts with the current state.")),
        413: (_("Too large"), _("The upload is larger than allowed.")),
        422: (_("Invalid input"), _("Some of the data sent is not valid.")),
        429: (
            _("Too many requests"),
            _("You have made too many requests. Please wait a moment and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened on our side. It has been logged."),
        ),
    }


def error_response(status: int, message: str | None = None, errors: dict | None = None):
    """The one error answer: JSON for API clients, an HTML page for people."""
    title, default = _messages().get(status, (str(status), ""))
    message = message or default
    if wants_json():
        body = {"code": status, "status": title, "message": message}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
    else:
        response = make_response(
            render_template("errors/error.html", status=status, title=title, message=message)
        )
    response.status_code = status
    return response


def _description(exc: HTTPException) -> str | None:
    """Keep messages we wrote (abort(404, "...")) and drop werkzeug's English defaults."""
    default = type(exc).description
    if exc.description and exc.description != default:
        return str(exc.description)
    return None


def handle_http_exception(exc: HTTPException):
    db.session.rollback()
    if exc.code is None or exc.code < 400:
        return exc
    errors = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        errors = data.get("errors") or data.get("messages")
        if isinstance(errors, dict) and len(errors) == 1 and "json" in errors:
            errors = errors["json"]
        message = data.get("message")
        if message:
            return error_response(exc.code, str(message), errors)
    response = error_response(exc.code, _description(exc), errors)
    if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def handle_domain_error(exc: DomainError):
    db.session.rollback()
    return error_response(exc.status, exc.message, exc.errors)


def handle_unexpected(exc: Exception):
    db.session.rollback()
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
