"""The one permission check: roles rank learner < trainer < admin."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from elearn.accounts.models import Role


def has_role(user, role: Role | str) -> bool:
    """True when ``user`` is signed in and holds ``role`` or a higher one."""
    return bool(user and user.is_authenticated and user.has_role(role))


def require_role(role: Role | str):
    """View decorator: 401 for visitors (login page for browsers), 403 for lower roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from elearn.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def require_login(view):
    return require_role(Role.LEARNER)(view)
