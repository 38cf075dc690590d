"""The webinar API at /api/v1: the same services as the pages.

Anyone may list webinars, register (as a guest, or as the token's own user) and use a
manage token; creating, changing and reading registrants need a trainer's token. The
link to join is only in answers for seat holders and trainers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate

from elearn.accounts.models import Role
from elearn.api.auth import token_required
from elearn.extensions import db, limiter
from elearn.i18n import LANGUAGE_NAMES
from elearn.permissions import has_role
from elearn.readonly import reads_from_here
from elearn.webinars import attendance, registrations, services
from elearn.webinars.errors import WebinarError, WebinarNotFound
from elearn.webinars.models import Registration, RegistrationStatus, Webinar
from elearn.webinars.notifications import manage_url
from elearn.webinars.themes import is_theme
from elearn.webinars.views import REGISTER_SCOPE

blp = Blueprint("webinars_api", __name__, url_prefix="/api/v1",
                description="Webinars, registrations and their manage tokens")

#: The most webinars one list answer holds.
LIST_LIMIT = 500
AWARE = {
    "invalid_awareness": "Give the time with its offset from UTC, "
                         "e.g. 2030-10-27T15:00:00+01:00.",
    "invalid": "Not a valid date and time: use ISO 8601 with an offset from UTC, "
               "e.g. 2030-10-27T15:00:00+01:00.",
}


# -- schemas -----------------------------------------------------------------------------


def _known_theme(slug: str) -> None:
    """The programme's themes are the courses' Theme rows (``GET /api/v1/themes``)."""
    if not is_theme(slug):
        raise ValidationError(_("Choose one of the programme's themes (GET /api/v1/themes)."))


class WebinarSchema(Schema):
    id = fields.Int(dump_only=True)
    title = fields.Str(required=True, validate=validate.Length(1, 200))
    theme = fields.Str(required=True, validate=_known_theme,
                       metadata={"description": "A theme slug from GET /api/v1/themes"})
    language = fields.Str(required=True, validate=validate.OneOf(tuple(LANGUAGE_NAMES)))
    description = fields.Str(load_default="")
    description_html = fields.Str(dump_only=True)
    starts_at = fields.AwareDateTime(required=True, error_messages=AWARE)
    ends_at = fields.AwareDateTime(dump_only=True)
    timezone = fields.Str(required=True, metadata={"description": "IANA time zone name"})
    duration_minutes = fields.Int(required=True, validate=validate.Range(1, 720))
    capacity = fields.Int(required=True, validate=validate.Range(1, 100_000))
    join_url = fields.Url(required=True, schemes={"http", "https"},
                          metadata={"description": "Only shown to trainers"})
    requires_approval = fields.Bool(load_default=False)
    reminder_offsets_minutes = fields.List(
        fields.Int(validate=validate.Range(1, 30 * 24 * 60)), attribute="reminder_offsets",
        load_default=None)
    registration_opens_at = fields.AwareDateTime(allow_none=True, error_messages=AWARE)
    registration_closes_at = fields.AwareDateTime(allow_none=True, error_messages=AWARE)
    course_slug = fields.Str(allow_none=True, validate=validate.Length(max=200), metadata={
        "description": "Slug of the course the webinar belongs to (GET /api/v1/courses)"})
    recording_url = fields.Url(allow_none=True, schemes={"http", "https"})
    status = fields.Str(dump_only=True)
    sequence = fields.Int(dump_only=True)
    seats_left = fields.Int(dump_only=True)
    waitlisted = fields.Int(dump_only=True)
    registration_open = fields.Bool(dump_only=True)
    page_url = fields.Str(dump_only=True)
    invite_url = fields.Str(dump_only=True)


class WebinarPatchSchema(WebinarSchema):
    status = fields.Str(validate=validate.OneOf(("scheduled", "cancelled")), load_only=True)
    cancel_message = fields.Str(load_default="", validate=validate.Length(max=2000))


class WebinarQuerySchema(Schema):
    theme = fields.Str(validate=_known_theme)
    lang = fields.Str(validate=validate.OneOf(tuple(LANGUAGE_NAMES)))
    since = fields.Str(data_key="from", metadata={
        "description": "A date (2030-10-27) or a date and time with offset; default: now"})


class RegistrationInputSchema(Schema):
    name = fields.Str(load_default=None)
    email = fields.Str(load_default=None)
    country = fields.Str(load_default=None, metadata={"description": "ISO 3166 alpha-2"})
    organisation = fields.Str(load_default=None)
    language = fields.Str(load_default=None)
    timezone = fields.Str(load_default=None, metadata={"description": "IANA time zone name"})


class PublicWebinarSchema(WebinarSchema):
    class Meta:
        exclude = ("join_url",)


class RegistrationSchema(Schema):
    id = fields.Int()
    webinar_id = fields.Int()
    status = fields.Str()
    position = fields.Int(allow_none=True, metadata={"description": "Place on the waitlist"})
    manage_token = fields.Str(allow_none=True, metadata={
        "description": "Only to whoever created the registration or owns it"})
    manage_url = fields.Str(allow_none=True)
    name = fields.Str()
    email = fields.Str()
    country = fields.Str()
    organisation = fields.Str()
    language = fields.Str()
    timezone = fields.Str()
    attended = fields.Bool()
    created_at = fields.AwareDateTime()
    join_url = fields.Str(allow_none=True, metadata={"description": "Once the seat is held"})
    webinar = fields.Nested(PublicWebinarSchema, dump_only=True)


class RegistrantSchema(RegistrationSchema):
    """A registration as a trainer's list shows it (the webinar is known)."""

    class Meta:
        exclude = ("webinar",)


class RegistrationQuerySchema(Schema):
    status = fields.Str(validate=validate.OneOf([s.value for s in RegistrationStatus]))
    attended = fields.Bool()
    q = fields.Str(load_default="")


# -- shaping answers ---------------------------------------------------------------------


@cache
def _webinar_fields() -> tuple[str, ...]:
    """The webinar schema's field names (making a schema instance costs ~0.3 ms)."""
    return tuple(WebinarSchema().fields)


def _webinar_out(webinar: Webinar, counts=None) -> dict:
    from elearn.accounts.services import external_url

    counts = counts or services.seat_counts([webinar.id])[webinar.id]
    out = {name: getattr(webinar, name) for name in _webinar_fields()
           if hasattr(webinar, name) and name != "join_url"}
    out.update(
        reminder_offsets=webinar.reminder_offsets,
        seats_left=max(webinar.capacity - counts.confirmed, 0),
        waitlisted=counts.waitlisted,
        registration_open=webinar.registration_open(),
        page_url=external_url(f"/webinars/{webinar.id}"),
        invite_url=external_url(f"/webinars/{webinar.id}/invite.ics"),
    )
    if has_role(current_user, Role.TRAINER):
        out["join_url"] = webinar.join_url
    return out


def _registrant_out(registration: Registration, position: int | None) -> dict:
    """The registration as a trainer's list shows it (``RegistrantSchema``: no webinar, no
    manage token); ``position``: its waitlist place (None when not waitlisted), which the
    caller has or counts (``waitlist_position``)."""
    out = {name: getattr(registration, name) for name in (
        "id", "webinar_id", "status", "name", "email", "country", "organisation",
        "language", "timezone", "attended", "created_at")}
    out.update(position=position, manage_token=None, manage_url=None, join_url=None)
    return out


def _registration_out(registration: Registration, *, reveal_token: bool,
                      position: int | None) -> dict:
    """The registration with its webinar, as its registrant (``reveal_token``) or a
    trainer sees it."""
    webinar = registration.webinar
    seat = registration.status == RegistrationStatus.CONFIRMED.value and \
        not webinar.is_cancelled
    out = _registrant_out(registration, position)
    out.update(
        manage_token=registration.manage_token if reveal_token else None,
        manage_url=manage_url(registration) if reveal_token else None,
        join_url=webinar.join_url if seat and reveal_token else None,
        webinar=_webinar_out(webinar),
    )
    return out


def _webinar_or_404(webinar_id: int) -> Webinar:
    webinar = services.get_webinar(webinar_id)
    if webinar is None:
        raise WebinarNotFound(_("There is no such webinar."))
    return webinar


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        abort(422, message=_("“from” must be a date (2030-10-27) or a date and time with "
                             "its offset."), errors={"from": [_("Not a valid date.")]})
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _service_fields(data: dict) -> dict:
    data = dict(data)
    if "reminder_offsets" in data and data["reminder_offsets"] is None:
        data.pop("reminder_offsets")
    return data


# -- webinars ----------------------------------------------------------------------------


@blp.route("/webinars")
class Webinars(MethodView):
    @blp.arguments(WebinarQuerySchema, location="query")
    @blp.response(200, WebinarSchema(many=True))
    def get(self, query):
        """Upcoming webinars (not yet ended), by theme, language and from a date."""
        webinars = services.list_webinars(theme=query.get("theme"), language=query.get("lang"),
                                          since=_since(query.get("since")), limit=LIST_LIMIT)
        counts = services.seat_counts([w.id for w in webinars])
        return [_webinar_out(w, counts[w.id]) for w in webinars]

    @token_required(Role.TRAINER)
    @blp.arguments(WebinarSchema)
    @blp.response(201, WebinarSchema)
    def post(self, data):
        """Create a webinar (trainers)."""
        webinar = services.create_webinar(created_by=current_user, **_service_fields(data))
        db.session.commit()
        return _webinar_out(webinar)


@blp.route("/webinars/<int:webinar_id>")
class WebinarItem(MethodView):
    @blp.response(200, WebinarSchema)
    def get(self, webinar_id):
        """One webinar."""
        return _webinar_out(_webinar_or_404(webinar_id))

    @token_required(Role.TRAINER)
    @blp.arguments(WebinarPatchSchema(partial=True))
    @blp.response(200, WebinarSchema)
    def patch(self, data, webinar_id):
        """Change, reschedule (``starts_at``) or cancel (``{"status": "cancelled"}``)."""
        webinar = _webinar_or_404(webinar_id)
        status = data.pop("status", None)
        message = data.pop("cancel_message", "")
        if status == "scheduled" and webinar.is_cancelled:
            raise WebinarError(_("A cancelled webinar cannot be scheduled again."), status=409)
        changes = _service_fields(data)
        if changes:
            services.update_webinar(webinar, **changes)
        if status == "cancelled":
            services.cancel_webinar(webinar, message=message)
        db.session.commit()
        return _webinar_out(webinar)


# -- registrations -----------------------------------------------------------------------


@blp.route("/webinars/<int:webinar_id>/registrations")
class WebinarRegistrations(MethodView):
    @token_required(Role.TRAINER)
    @blp.arguments(RegistrationQuerySchema, location="query")
    @blp.response(200, RegistrantSchema(many=True))
    def get(self, query, webinar_id):
        """The registrants (trainers), filtered by status, attendance and text."""
        webinar = _webinar_or_404(webinar_id)
        people = attendance.find_registrations(webinar, status=query.get("status"),
                                               attended=query.get("attended"),
                                               query=query.get("q", ""))
        positions = registrations.waitlist_positions(webinar.id)
        # Manage tokens belong to the registrants: trainers decide on the pages instead.
        return [_registrant_out(r, positions.get(r.id)) for r in people]

    @limiter.shared_limit(lambda: current_app.config["RATELIMIT_REGISTER"],
                          scope=REGISTER_SCOPE, methods=["POST"])
    @blp.arguments(RegistrationInputSchema)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationSchema,
                      description="The address was already registered")
    def post(self, data, webinar_id):
        """Register the token's user, or a guest (name, email, country, organisation)."""
        # Kept referenced while registering, which looks it up again: the session holds
        # only objects still referenced, and would read the row a second time.
        webinar = _webinar_or_404(webinar_id)
        user = current_user if current_user.is_authenticated else None
        if user is not None:
            result = registrations.register(webinar.id, user=user,
                                            language=data.get("language"),
                                            timezone=data.get("timezone"))
        else:
            result = registrations.register(webinar.id, **data)
        registration = result.registration
        owner = user is not None and (registration.user_id == user.id
                                      or registration.email == user.email)
        if not result.created and not owner:
            # Someone else's address: they get their link by e-mail; the caller learns
            # only that the address is registered.
            registrations.resend_manage_link(registration)
        # The answer shows the rows just written: kept as committed rather than expired
        # and read again (a registration and its webinar, for what the session holds),
        # and built after the commit, once the webinar's lock is released: under it
        # every other registrant of the webinar would wait for the answer's Python.
        session = db.session()
        session.expire_on_commit = False  # this commit only: the session may outlive it
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
        reads_from_here()
        body = _registration_out(registration, reveal_token=result.created or owner,
                                 position=result.position())
        return body, 201 if result.created else 200


@blp.route("/registrations/<token>")
class RegistrationByToken(MethodView):
    @blp.response(200, RegistrationSchema)
    def get(self, token):
        """A registration, by its manage token (no login)."""
        registration = registrations.find_by_token(token)
        if registration is None:
            raise WebinarNotFound(_("There is no registration with this token."))
        return _registration_out(registration, reveal_token=True,
                                 position=registrations.waitlist_position(registration))

    @blp.response(200, RegistrationSchema)
    def delete(self, token):
        """Cancel a registration by its manage token; the freed seat is passed on."""
        registration = registrations.find_by_token(token)
        if registration is None:
            raise WebinarNotFound(_("There is no registration with this token."))
        if registration.is_active and registration.webinar.is_over():
            raise WebinarError(_("This webinar is over; there is nothing left to cancel."),
                               status=409)
        registrations.cancel_registration(registration)
        db.session.commit()
        return _registration_out(registration, reveal_token=True,
                                 position=registrations.waitlist_position(registration))
