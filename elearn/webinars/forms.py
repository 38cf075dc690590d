"""Forms of the public webinar pages (the trainer's are in ``trainer_forms.py``)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from elearn.forms import CompactSelect, zone_choices
from elearn.i18n import LANGUAGE_NAMES, country_choices


class GuestRegistrationForm(FlaskForm):
    """Registration without an account: who to write to, in which language and zone."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"),
                       validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("Your confirmation and the link to join go here."))
    country = SelectField(_l("Country"), validators=[DataRequired()])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    language = SelectField(_l("Language of the e-mails"), validators=[DataRequired()])
    timezone = SelectField(_l("Your time zone"), validators=[DataRequired()],
                           description=_l("E-mails show the time in this zone."),
                           widget=CompactSelect())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale() or "en").split("_")[0]
        self.country.choices = [("", _l("Choose your country"))] + list(country_choices(locale))
        self.language.choices = list(LANGUAGE_NAMES.items())
        self.timezone.choices = zone_choices()


class AccountRegistrationForm(FlaskForm):
    """A signed-in person registers with their profile: only the CSRF token."""


class CancelRegistrationForm(FlaskForm):
    """The manage page's cancel button."""


class TimezoneForm(FlaskForm):
    """The visitor's reading zone (a cookie). No CSRF token, like the language switcher:
    a token would give every anonymous reader of the webinar list a session cookie (and
    keep shared caches from keeping the page), and a forged request can at worst change
    the zone times are shown in."""

    class Meta:
        csrf = False

    tz = SelectField(_l("Show times in"), validators=[DataRequired()], widget=CompactSelect())
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz.choices = zone_choices()
