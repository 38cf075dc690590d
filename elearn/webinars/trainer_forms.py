"""The trainer's forms: a webinar, decisions, attendance, follow-up."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from elearn.courses.services import all_courses
from elearn.forms import CompactSelect, zone_choices
from elearn.i18n import LANGUAGE_NAMES, is_timezone
from elearn.webinars.models import DEFAULT_REMINDER_OFFSETS, Webinar
from elearn.webinars.themes import theme_choices
from elearn.webinars.times import LocalTimeError, local_to_utc, utc_to_local

_UNITS = {"d": 1440, "h": 60, "m": 1, "": 1}
_OFFSET_RE = re.compile(r"^(\d{1,5})\s*(d|h|m|min|mn)?$")


def parse_offsets(text: str) -> list[int]:
    """``"24h, 1h, 30m"`` (or ``"1d 90"``: plain numbers are minutes) -> minutes."""
    offsets = []
    for token in re.split(r"[,;\s]+", (text or "").strip().lower()):
        if not token:
            continue
        match = _OFFSET_RE.match(token)
        if not match:
            raise ValueError(token)
        unit = (match.group(2) or "")[:1]
        offsets.append(int(match.group(1)) * _UNITS[unit])
    return offsets


def format_offsets(offsets: list[int]) -> str:
    def one(minutes: int) -> str:
        if minutes % 1440 == 0:
            return f"{minutes // 1440}d"
        if minutes % 60 == 0:
            return f"{minutes // 60}h"
        return f"{minutes}m"

    return ", ".join(one(m) for m in offsets)


def course_choices(current: str | None = None) -> list[tuple[str, str]]:
    """"No course", then every course as "Title (address)" in the page's language. A
    linked course that no longer exists stays a choice, so saving the form says so
    instead of quietly dropping the link."""
    language = str(get_locale() or "en").split("_")[0]
    choices = [("", str(_l("No course")))]
    for course in all_courses():
        text = course.text(language)
        choices.append((course.slug, f"{text.title} ({course.slug})" if text else course.slug))
    if current and current not in {slug for slug, _label in choices}:
        choices.append((current, current))
    return choices


def _reminders(form, field) -> None:
    try:
        field.offsets = parse_offsets(field.data)
    except ValueError as exc:
        raise ValidationError(_l("Write each reminder as a number followed by d (days), "
                                 "h (hours) or m (minutes), e.g. 24h, 1h.")) from exc


class WebinarForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    theme = SelectField(_l("Theme"), validators=[DataRequired()])
    language = SelectField(_l("Language of the webinar"), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Length(max=20000)],
                                description=_l("Markdown: **bold**, lists, links."))
    start_date = DateField(_l("Date"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone of this date and time"), validators=[DataRequired()],
                           widget=CompactSelect(),
                           description=_l("Registrants see the time in their own zone too."))
    duration_minutes = IntegerField(_l("Duration (minutes)"),
                                    validators=[InputRequired(), NumberRange(1, 720)])
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(1, 100000)],
                            description=_l("Past this number, registrations join a waiting "
                                           "list."))
    join_url = URLField(_l("Link to join"), validators=[DataRequired(), Length(max=500)],
                        description=_l("Any meeting service: Zoom, Teams, Webex..."))
    requires_approval = BooleanField(_l("A trainer approves each registration"))
    reminders = StringField(
        _l("E-mail reminders before the start"), validators=[Optional(), _reminders],
        default=format_offsets(list(DEFAULT_REMINDER_OFFSETS)),
        description=_l("e.g. 24h, 1h (d = days, h = hours, m = minutes). Empty: none. "
                       "A reminder whose moment has passed when someone registers is not "
                       "sent: their confirmation carries the same details."))
    registration_opens = DateTimeLocalField(
        _l("Registration opens (optional)"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description=_l("In the time zone above. Empty: at once."))
    registration_closes = DateTimeLocalField(
        _l("Registration closes (optional)"), validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description=_l("In the time zone above. Empty: when the webinar ends."))
    # The service checks the course exists (one message for the page and the API).
    course_slug = SelectField(_l("Course (optional)"), validate_choice=False,
                              description=_l("The course this webinar belongs to: it is "
                                             "listed on the course's page, and where the "
                                             "course requires it, attending counts toward "
                                             "completing it."))
    recording_url = URLField(_l("Recording (after the webinar)"),
                             validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = theme_choices()
        self.language.choices = list(LANGUAGE_NAMES.items())
        self.timezone.choices = zone_choices()
        self.course_slug.choices = course_choices(self.course_slug.data)

    def fill_from(self, webinar: Webinar) -> None:
        local = utc_to_local(webinar.starts_at, webinar.timezone)
        for name in ("title", "theme", "language", "description", "timezone",
                     "duration_minutes", "capacity", "join_url", "requires_approval",
                     "course_slug", "recording_url"):
            getattr(self, name).data = getattr(webinar, name)
        self.course_slug.choices = course_choices(webinar.course_slug)
        self.start_date.data, self.start_time.data = local.date(), local.time()
        self.reminders.data = format_offsets(webinar.reminder_offsets or [])
        for name in ("registration_opens", "registration_closes"):
            value = getattr(webinar, f"{name}_at")
            getattr(self, name).data = (
                utc_to_local(value, webinar.timezone).replace(tzinfo=None) if value else None)

    def _instant(self, value: datetime | None, field) -> datetime | None:
        if value is None:
            return None
        try:
            return local_to_utc(value.date(), value.time(), self.timezone.data)
        except LocalTimeError:
            field.errors.append(_l("This time does not exist in that time zone (the clocks "
                                   "change that night)."))
            return None

    def to_fields(self) -> dict | None:
        """The service's fields, or None after adding errors (a time that does not exist)."""
        if not is_timezone(self.timezone.data):
            self.timezone.errors.append(_l("Choose a time zone from the list."))
            return None
        starts_at = self._instant(datetime.combine(self.start_date.data, self.start_time.data),
                                  self.start_time)
        opens = self._instant(self.registration_opens.data, self.registration_opens)
        closes = self._instant(self.registration_closes.data, self.registration_closes)
        if starts_at is None or any(f.errors for f in (self.registration_opens,
                                                        self.registration_closes)):
            return None
        return {
            "title": self.title.data, "theme": self.theme.data,
            "language": self.language.data, "description": self.description.data or "",
            "starts_at": starts_at, "timezone": self.timezone.data,
            "duration_minutes": self.duration_minutes.data, "capacity": self.capacity.data,
            "join_url": self.join_url.data, "requires_approval": self.requires_approval.data,
            "reminder_offsets": getattr(self.reminders, "offsets", []),
            "registration_opens_at": opens, "registration_closes_at": closes,
            "course_slug": self.course_slug.data, "recording_url": self.recording_url.data,
        }


class CancelWebinarForm(FlaskForm):
    message = TextAreaField(_l("Message to the registrants (optional)"),
                            validators=[Length(max=2000)])


class DecisionForm(FlaskForm):
    """Approve or decline the ticked registrations; the ids come as ``registration``."""

    message = TextAreaField(_l("Message to the people concerned (optional)"),
                            validators=[Length(max=2000)])


class AttendanceForm(FlaskForm):
    """The checklist; ticked ids come as ``attended``, the ids shown as ``shown``."""


class AttendanceUploadForm(FlaskForm):
    report = FileField(_l("Attendance report (CSV)"), validators=[
        FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))],
        description=_l("The attendance report exported by the meeting service. People are "
                       "matched by their e-mail address."))


class FollowupForm(FlaskForm):
    audience = SelectField(_l("Send to"), choices=[
        ("attendees", _l("Everyone who attended")),
        ("absentees", _l("Everyone who had a seat and did not attend")),
    ])
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("Next steps, resources... The recording link is "
                                           "added when the webinar has one."))
