"""The admin's user list and role changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import SelectField

from elearn.accounts import services
from elearn.accounts.models import Role, User
from elearn.extensions import db
from elearn.permissions import require_role
from elearn.templating import role_label

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


class RoleForm(FlaskForm):
    role = SelectField(choices=[(r.value, r.value) for r in Role])


@bp.route("/users")
@require_role(Role.ADMIN)
def users():
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(User)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    total = db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    people = db.session.execute(
        stmt.order_by(User.name, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    return render_template(
        "admin/users.html", users=people, query=query, page=page, total=total,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), roles=list(Role),
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@require_role(Role.ADMIN)
def change_role(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
    elif user.id == current_user.id and form.role.data != Role.ADMIN.value:
        flash(_("You cannot remove your own admin role."), "error")
    else:
        services.set_role(user, form.role.data)
        db.session.commit()
        flash(_("%(name)s is now %(role)s.", name=user.name, role=role_label(form.role.data)),
              "success")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))
