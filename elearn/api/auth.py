"""Decorators for API endpoints, built on the one permission check."""

from __future__ import annotations

from functools import wraps

from flask_babel import gettext as _
from flask_login import current_user

from elearn.accounts.models import Role
from elearn.errors import DomainError


def token_required(role: Role | str = Role.LEARNER):
    """401 without a valid token, 403 when the token's user lacks ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise DomainError(_("A valid API token is required."), status=401)
            if not current_user.has_role(role):
                raise DomainError(_("Your role does not allow this."), status=403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
