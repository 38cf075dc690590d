"""The rate limit of certificate verification.

One budget per client for every way of checking a code (the page, the lookup form, the
Open Badges credential and the JSON API), so codes cannot be guessed faster by switching
between them.
"""

from __future__ import annotations

from flask import current_app

from elearn.extensions import limiter

verification_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_VERIFY"], scope="certificate-verification"
)
