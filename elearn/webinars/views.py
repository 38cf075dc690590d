"""Public webinar pages: the list, a webinar, registering, the manage link, calendars.

Trainer pages are in ``trainer_views.py``, the JSON API in ``api.py``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from elearn.accounts.models import Role
from elearn.accounts.views import safe_next
from elearn.db import utcnow
from elearn.extensions import csrf, db, limiter
from elearn.i18n import LANGUAGE_NAMES, TIMEZONE_COOKIE, is_timezone, remember_choice
from elearn.pagecache import visitor_page
from elearn.permissions import has_role
from elearn.webinars import ics, registrations, services
from elearn.webinars.errors import RegistrationClosed, WebinarError
from elearn.webinars.forms import (
    AccountRegistrationForm,
    CancelRegistrationForm,
    GuestRegistrationForm,
    TimezoneForm,
)
from elearn.webinars.models import Registration, Webinar
from elearn.webinars.themes import is_theme, theme_choices, theme_label
from elearn.webinars.times import format_when, readings, utc_to_local, webinar_readings

bp = Blueprint("webinars", __name__, url_prefix="/webinars")

#: How long a visitor's chosen zone is remembered.
#: How far back a theme feed reaches.
FEED_HISTORY = timedelta(days=90)
#: Webinars per page of the list (pages stay under 50 KB).
PAGE_SIZE = 15
#: Shared by the page and the API: one address, one budget.
REGISTER_SCOPE = "webinar-registration"


def register_limit():
    return limiter.shared_limit(lambda: current_app.config["RATELIMIT_REGISTER"],
                                scope=REGISTER_SCOPE, methods=["POST"])


# -- template helpers --------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or "en")


@bp.app_template_global()
def webinar_times(webinar: Webinar, zone: str | None = None):
    """The start in the viewer's zone (or ``zone``), the webinar's own and UTC."""
    return webinar_readings(webinar, zone or str(get_timezone()), _locale())


@bp.app_template_global()
def end_time(webinar: Webinar, zone: str | None = None) -> str:
    """The end in ``zone``: the clock time alone when it is the same day."""
    zone = zone or str(get_timezone())
    same_day = utc_to_local(webinar.starts_at, zone).date() == \
        utc_to_local(webinar.ends_at, zone).date()
    return format_when(webinar.ends_at, zone, _locale(), with_date=not same_day)


bp.add_app_template_global(theme_label, "theme_label")
bp.add_app_template_global(lambda code: LANGUAGE_NAMES.get(code, code), "language_name")


def _webinar_or_404(webinar_id: int) -> Webinar:
    return services.get_webinar(webinar_id) or abort(404)


def _registration_or_404(token: str) -> Registration:
    return registrations.find_by_token(token) or abort(404)


def _private(response):
    """Pages behind a manage token: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# -- the list ----------------------------------------------------------------------------


@bp.route("/")
@visitor_page
def index():
    theme = request.args.get("theme", "")
    theme = theme if is_theme(theme) else ""
    language = request.args.get("lang", "")
    language = language if language in LANGUAGE_NAMES else ""
    past = request.args.get("when") == "past"
    page = max(request.args.get("page", 1, type=int), 1)
    webinars = services.list_webinars(theme=theme or None, language=language or None,
                                      past=past, limit=PAGE_SIZE + 1,
                                      offset=(page - 1) * PAGE_SIZE)
    more = len(webinars) > PAGE_SIZE
    webinars = webinars[:PAGE_SIZE]
    tz_form = TimezoneForm(formdata=None, tz=str(get_timezone()),
                           next=request.full_path.rstrip("?"))
    return render_template(
        "webinars/index.html", webinars=webinars, theme=theme, language=language, past=past,
        counts=services.seat_counts([w.id for w in webinars]), themes=theme_choices(),
        languages=LANGUAGE_NAMES, tz_form=tz_form, now=utcnow(), page=page, more=more,
    )


@bp.route("/timezone", methods=["POST"])
@csrf.exempt
def set_timezone():
    """Remember the zone a visitor reads times in (a cookie; works without JavaScript)."""
    form = TimezoneForm()
    target = safe_next(form.next.data) or url_for("webinars.index")
    response = redirect(target)
    if form.validate_on_submit() and is_timezone(form.tz.data):
        remember_choice(response, TIMEZONE_COOKIE, form.tz.data)
    else:
        flash(_("Choose a time zone from the list."), "error")
    return response


# -- one webinar -------------------------------------------------------------------------


def _registration_form():
    if current_user.is_authenticated:
        return AccountRegistrationForm()
    form = GuestRegistrationForm()
    if request.method == "GET":
        form.language.data = _locale().split("_")[0]
        form.timezone.data = str(get_timezone())
    return form


def _visible_course(webinar: Webinar):
    """The course the webinar belongs to, when the viewer may see it."""
    course = services.linked_course(webinar)
    if course is None or not (course.published or has_role(current_user, Role.TRAINER)):
        return None
    return course


def _page(template: str, webinar: Webinar, form, status: int = 200):
    mine = None
    if current_user.is_authenticated:
        mine = registrations.registration_of(webinar, current_user)
    counts = services.seat_counts([webinar.id])[webinar.id]
    return render_template(template, webinar=webinar, form=form, mine=mine, counts=counts,
                           course=_visible_course(webinar), now=utcnow()), status


@bp.route("/<int:webinar_id>")
@visitor_page
def detail(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    return _page("webinars/detail.html", webinar, AccountRegistrationForm())


@bp.route("/<int:webinar_id>/register", methods=["GET", "POST"])
@register_limit()
def register(webinar_id: int):
    """The registration form (a page of its own: the detail page stays light)."""
    webinar = _webinar_or_404(webinar_id)
    form = _registration_form()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _page("webinars/register.html", webinar, form, status)
    try:
        if current_user.is_authenticated:
            result = registrations.register(webinar.id, user=current_user)
        else:
            result = registrations.register(
                webinar.id, name=form.name.data, email=form.email.data,
                country=form.country.data, organisation=form.organisation.data,
                language=form.language.data, timezone=form.timezone.data,
            )
    except RegistrationClosed as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("webinars.detail", webinar_id=webinar_id))
    except WebinarError as exc:
        db.session.rollback()
        for name, messages in exc.errors.items():
            if name in form:
                form[name].errors = list(form[name].errors) + list(messages)
        return _page("webinars/register.html", webinar, form, 422)
    registration = result.registration
    owner = current_user.is_authenticated and (
        registration.user_id == current_user.id or registration.email == current_user.email)
    if result.created or owner:
        db.session.commit()
        return redirect(url_for("webinars.manage", token=registration.manage_token))
    # An address registered before, by someone who cannot prove it is theirs: the owner
    # gets their link again by e-mail, and this page reveals nothing about them.
    registrations.resend_manage_link(registration)
    db.session.commit()
    return render_template("webinars/already_registered.html", webinar=webinar,
                           email=registration.email)


@bp.route("/<int:webinar_id>/invite.ics")
def invite(webinar_id: int):
    """The event for anyone's calendar (METHOD:PUBLISH, no attendee)."""
    webinar = _webinar_or_404(webinar_id)
    data = ics.invitation(webinar, method=ics.PUBLISH, language=_locale())
    return _calendar_response(data, f"webinar-{webinar.id}.ics")


@bp.route("/themes/<theme>.ics")
def theme_feed(theme: str):
    """A subscribable calendar of a theme's webinars, cancelled ones marked so."""
    if not is_theme(theme):
        abort(404)
    webinars = services.list_webinars(theme=theme, since=utcnow() - FEED_HISTORY)
    data = ics.feed(webinars, name=f"elearn · {theme_label(theme)}", language=_locale())
    return _calendar_response(data, f"{theme}.ics", attachment=False)


def _calendar_response(data: bytes, filename: str, attachment: bool = True) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# -- the manage link ---------------------------------------------------------------------


@bp.route("/manage/<token>")
def manage(token: str):
    registration = _registration_or_404(token)
    webinar = registration.webinar
    # The zone chosen when registering comes first: the reader is the registrant.
    zones = [registration.timezone, webinar.timezone, "UTC"]
    response = render_template(
        "webinars/manage.html", registration=registration, webinar=webinar,
        times=readings(webinar.starts_at, zones, _locale()),
        position=registrations.waitlist_position(registration),
        form=CancelRegistrationForm(), now=utcnow(),
    )
    return _private(current_app.make_response(response))


@bp.route("/manage/<token>/cancel", methods=["POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    form = CancelRegistrationForm()
    if form.validate_on_submit():
        if registration.webinar.is_over():
            flash(_("This webinar is over; there is nothing left to cancel."), "info")
        else:
            registrations.cancel_registration(registration)
            db.session.commit()
            flash(_("Your registration is cancelled. We have sent you a confirmation."),
                  "success")
    return redirect(url_for("webinars.manage", token=token))


@bp.route("/manage/<token>/invite.ics")
def personal_invite(token: str):
    """The registrant's own invitation (METHOD:REQUEST), while their seat is confirmed."""
    registration = _registration_or_404(token)
    if registration.status != "confirmed" or registration.webinar.is_cancelled:
        abort(404)
    data = ics.invitation(registration.webinar, registration, method=ics.REQUEST)
    return _private(_calendar_response(data, "invite.ics"))
