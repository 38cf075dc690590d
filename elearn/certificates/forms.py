"""Certificate forms: the code lookup, and the admin's revoke and reissue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class LookupForm(FlaskForm):
    """``/verify?code=...``: a GET form, so the result has an address of its own."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Verification code"), validators=[DataRequired(), Length(max=40)],
        description=_l("As printed under the QR code, for example 7K3M-Q9XP-4HTD-2WRA. "
                       "Dashes and capitals are optional."),
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=500)],
        description=_l("Shown on the public verification page."),
    )


class ReissueForm(FlaskForm):
    holder_name = StringField(
        _l("Name to print"), validators=[DataRequired(), Length(max=200)],
        description=_l("The corrected name. The current certificate will point to the new "
                       "one, and the holder receives it by e-mail."),
    )
