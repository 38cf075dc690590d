"""GET /api/v1/me: who the token belongs to."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from elearn.api.auth import token_required

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The token's own user")


class UserSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    email = fields.Str()
    role = fields.Str()
    locale = fields.Str()
    timezone = fields.Str()
    country = fields.Str()
    organisation = fields.Str()


@blp.route("")
class Me(MethodView):
    @token_required()
    @blp.response(200, UserSchema)
    def get(self):
        """The authenticated user."""
        return current_user
