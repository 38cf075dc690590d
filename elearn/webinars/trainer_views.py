"""Trainer pages: create, edit, reschedule and cancel webinars; registrants, decisions,
attendance, CSV export and follow-up e-mails."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from elearn.accounts.models import Role
from elearn.accounts.views import safe_next
from elearn.extensions import db
from elearn.permissions import require_role
from elearn.webinars import attendance, registrations, services
from elearn.webinars.errors import WebinarError
from elearn.webinars.models import RegistrationStatus, Webinar
from elearn.webinars.trainer_forms import (
    AttendanceForm,
    AttendanceUploadForm,
    CancelWebinarForm,
    DecisionForm,
    FollowupForm,
    WebinarForm,
)

bp = Blueprint("webinar_admin", __name__, url_prefix="/webinars")

#: Service field -> form field, to show a service's refusal next to the right input.
FORM_FIELDS = {
    "starts_at": "start_time", "reminder_offsets": "reminders",
    "registration_opens_at": "registration_opens",
    "registration_closes_at": "registration_closes",
}


def _webinar_or_404(webinar_id: int) -> Webinar:
    return services.get_webinar(webinar_id) or abort(404)


def _show_errors(form, exc: WebinarError) -> None:
    db.session.rollback()
    placed = False
    for name, messages in exc.errors.items():
        target = FORM_FIELDS.get(name, name)
        if target in form:
            form[target].errors = list(form[target].errors) + list(messages)
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.TRAINER)
def create():
    form = WebinarForm()
    if form.validate_on_submit() and (fields := form.to_fields()) is not None:
        try:
            webinar = services.create_webinar(created_by=current_user, **fields)
        except WebinarError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The webinar is published."), "success")
            return redirect(url_for("webinars.detail", webinar_id=webinar.id))
    status = 422 if request.method == "POST" else 200
    return render_template("webinars/edit.html", form=form, webinar=None), status


@bp.route("/<int:webinar_id>/edit", methods=["GET", "POST"])
@require_role(Role.TRAINER)
def edit(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    form = WebinarForm()
    if request.method == "GET":
        form.fill_from(webinar)
    elif form.validate_on_submit() and (fields := form.to_fields()) is not None:
        # The form shows minutes: an unchanged minute keeps the stored instant.
        for name in ("starts_at", "registration_opens_at", "registration_closes_at"):
            stored = getattr(webinar, name)
            if stored and fields[name] == stored.replace(second=0, microsecond=0):
                fields[name] = stored
        try:
            report = services.update_webinar(webinar, **fields)
        except WebinarError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            if report.rescheduled:
                flash(_("Saved. Everyone with a seat has been sent the updated invitation."),
                      "success")
            else:
                flash(_("Saved."), "success")
            if report.promoted:
                flash(ngettext("%(num)d person moved from the waiting list to a seat.",
                               "%(num)d people moved from the waiting list to a seat.",
                               len(report.promoted)), "info")
            return redirect(url_for("webinars.detail", webinar_id=webinar.id))
    status = 422 if request.method == "POST" else 200
    return render_template("webinars/edit.html", form=form, webinar=webinar,
                           cancel_form=CancelWebinarForm()), status


@bp.route("/<int:webinar_id>/cancel", methods=["POST"])
@require_role(Role.TRAINER)
def cancel(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    form = CancelWebinarForm()
    if form.validate_on_submit():
        try:
            services.cancel_webinar(webinar, message=form.message.data or "")
        except WebinarError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("The webinar is cancelled and everyone registered has been told."),
                  "success")
    return redirect(url_for("webinars.detail", webinar_id=webinar_id))


# -- registrants -------------------------------------------------------------------------


def _filters() -> dict:
    status = request.args.get("status", "")
    attended = {"yes": True, "no": False}.get(request.args.get("attended", ""))
    return {
        "status": status if status in {s.value for s in RegistrationStatus} else None,
        "attended": attended,
        "query": request.args.get("q", "")[:100],
    }


@bp.route("/<int:webinar_id>/registrants")
@require_role(Role.TRAINER)
def registrants(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    filters = _filters()
    people = attendance.find_registrations(webinar, **filters)
    return render_template(
        "webinars/registrants.html", webinar=webinar, people=people, filters=filters,
        counts=services.seat_counts([webinar.id])[webinar.id],
        positions=registrations.waitlist_positions(webinar.id),
        statuses=[s.value for s in RegistrationStatus], decision_form=DecisionForm(),
        attendance_form=AttendanceForm(), upload_form=AttendanceUploadForm(),
        args=request.args,
    )


@bp.route("/<int:webinar_id>/registrants.csv")
@require_role(Role.TRAINER)
def export(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    data = attendance.export_csv(attendance.find_registrations(webinar, **_filters()))
    response = Response(data.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="webinar-{webinar.id}-registrants.csv"')
    return response


def _back(webinar_id: int):
    """Back to the registrant list as it was filtered (never anywhere else)."""
    back = safe_next(request.form.get("back"))
    if not back or not back.startswith(f"/webinars/{webinar_id}/registrants"):
        back = url_for("webinar_admin.registrants", webinar_id=webinar_id)
    return redirect(back)


@bp.route("/<int:webinar_id>/registrants/decide", methods=["POST"])
@require_role(Role.TRAINER)
def decide(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    form = DecisionForm()
    ids = request.form.getlist("registration", type=int)
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in ("approve", "decline"):
        flash(_("Choose to approve or to decline."), "error")
    elif not ids:
        flash(_("Tick at least one registration first."), "error")
    else:
        report = registrations.decide(webinar, ids, approve=action == "approve",
                                      message=form.message.data or "")
        db.session.commit()
        if action == "approve":
            flash(_("Approved: %(seats)d with a seat, %(waiting)d on the waiting list.",
                    seats=len(report.confirmed), waiting=len(report.waitlisted)), "success")
        else:
            flash(ngettext("%(num)d registration declined.", "%(num)d registrations declined.",
                           len(report.declined)), "success")
        if report.skipped:
            flash(ngettext("%(num)d registration was left as it was (already decided).",
                           "%(num)d registrations were left as they were (already decided).",
                           len(report.skipped)), "info")
    return _back(webinar_id)


@bp.route("/<int:webinar_id>/attendance", methods=["POST"])
@require_role(Role.TRAINER)
def mark_attendance(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    if AttendanceForm().validate_on_submit():
        changed = attendance.set_attendance(
            webinar, request.form.getlist("shown", type=int),
            set(request.form.getlist("attended", type=int)))
        db.session.commit()
        flash(ngettext("Attendance saved (%(num)d change).", "Attendance saved (%(num)d changes).",
                       changed), "success")
    return _back(webinar_id)


@bp.route("/<int:webinar_id>/attendance/upload", methods=["POST"])
@require_role(Role.TRAINER)
def upload_attendance(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    form = AttendanceUploadForm()
    if not form.validate_on_submit():
        for message in form.report.errors:
            flash(message, "error")
        return _back(webinar_id)
    try:
        report = attendance.import_attendance(webinar, form.report.data.read())
    except WebinarError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _back(webinar_id)
    db.session.commit()
    flash(ngettext("%(num)d person marked as attended.", "%(num)d people marked as attended.",
                   len(report.marked)), "success")
    if report.unknown:
        flash(_("Not registered for this webinar: %(emails)s",
                emails=", ".join(report.unknown[:20])
                + (" …" if len(report.unknown) > 20 else "")), "info")
    return _back(webinar_id)


@bp.route("/<int:webinar_id>/followup", methods=["GET", "POST"])
@require_role(Role.TRAINER)
def followup(webinar_id: int):
    webinar = _webinar_or_404(webinar_id)
    form = FollowupForm()
    if form.validate_on_submit():
        try:
            sent = attendance.send_followup(webinar, attendees=form.audience.data == "attendees",
                                            message=form.message.data)
        except WebinarError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)d e-mail is on its way.", "%(num)d e-mails are on their way.",
                           sent), "success")
            return redirect(url_for("webinar_admin.registrants", webinar_id=webinar_id))
    return render_template("webinars/followup.html", webinar=webinar, form=form)
