"""The webinar feature's refusals; the error handler answers them as a page or JSON."""

from __future__ import annotations

from elearn.errors import DomainError


class WebinarError(DomainError):
    """A webinar operation was refused (422 unless said otherwise)."""

    status = 422


class WebinarNotFound(WebinarError):
    status = 404


class RegistrationClosed(WebinarError):
    """The webinar takes no registrations now (cancelled, not open yet, or closed)."""

    status = 409
