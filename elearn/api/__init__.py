"""The JSON API at /api/v1 (flask-smorest), documented at /api/v1/openapi.json.

Every endpoint calls the same services as the pages. Authentication is
``Authorization: Bearer <token>`` only (see ``elearn.accounts.auth``).
"""

from __future__ import annotations

from flask import Flask

from elearn.extensions import api, csrf


def init_api(app: Flask) -> None:
    from elearn.api.certificates import blp as certificates_blp
    from elearn.api.courses import blp as courses_blp
    from elearn.api.me import blp as me_blp
    from elearn.api.quizzes import blp as quizzes_blp
    from elearn.webinars.api import blp as webinars_blp

    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"].setdefault(
        "components",
        {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    )
    app.config["API_SPEC_OPTIONS"].setdefault("security", [{"bearerAuth": []}])
    api.init_app(app)
    for blueprint in (me_blp, courses_blp, webinars_blp, quizzes_blp, certificates_blp):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
