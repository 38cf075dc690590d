"""Account forms. Labels and messages are lazily translated."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from elearn.forms import CompactSelect, zone_choices
from elearn.i18n import LANGUAGE_NAMES, country_choices


def _password_strength(form, field) -> None:
    from elearn.accounts.services import validate_password

    email = form.email.data if hasattr(form, "email") and form.email.data else ""
    problem = validate_password(field.data or "", email=email)
    if problem:
        raise ValidationError(problem)


def _choices_for_locale(field: SelectField, with_blank: bool = True) -> None:
    locale = str(get_locale() or "en").split("_")[0]
    blank = [("", _l("Choose your country"))] if with_blank else []
    field.choices = blank + list(country_choices(locale))


class ProfileForm(FlaskForm):
    """Who the person is: the fields of the profile page, and of sign-up."""

    name = StringField(
        _l("Full name, as it should appear on your certificates"),
        validators=[DataRequired(), Length(max=200)],
    )
    country = SelectField(_l("Country"), validators=[DataRequired()])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    locale = SelectField(_l("Preferred language"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()], widget=CompactSelect())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choices_for_locale(self.country)
        self.locale.choices = list(LANGUAGE_NAMES.items())
        self.timezone.choices = zone_choices()


class SignupForm(ProfileForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200), _password_strength],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=200), _password_strength],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ResendVerificationForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=200), _password_strength],
        description=_l("At least 10 characters."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ChangeEmailForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    email = EmailField(_l("New e-mail address"),
                       validators=[DataRequired(), Email(), Length(max=254)])


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What the token is for, e.g. “reporting script”."))

