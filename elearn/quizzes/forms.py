"""Quiz forms. Labels and messages are lazily translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from elearn.quizzes.banks import SLUG_MAX, SLUG_RE


class BankImportForm(FlaskForm):
    """Upload or paste GIFT; preview it, then save it as a bank (new or replaced)."""

    slug = StringField(
        _l("Bank name"),
        description=_l("Lower-case letters, digits and hyphens, as in customs-trade-final. "
                       "Courses name their quiz's bank by it. Left empty, the file name is "
                       "used. Saving under the name of an existing bank replaces its "
                       "questions."),
        validators=[Optional(), Length(max=SLUG_MAX),
                    Regexp(f"^{SLUG_RE.pattern}$",
                           message=_l("Use lower-case letters, digits and hyphens only."))],
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    gift_file = FileField(
        _l("GIFT file"),
        description=_l("A .gift or .txt file in UTF-8, as Moodle exports it. "
                       "A file replaces the pasted text."),
    )
    gift_text = TextAreaField(_l("Or paste GIFT text"))
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save bank"))
