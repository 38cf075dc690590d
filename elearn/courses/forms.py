"""Trainers' forms. Markdown is typed in a text area; "Preview" re-renders the page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

_SLUG = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
               message=_l("Use lower-case letters, digits and single hyphens."))
_MARKDOWN_HINT = _l(
    "Markdown. Link another module as [text](02-module-address.md), an uploaded image as "
    "![description](media/file-name.png).")


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class CourseSettingsForm(FlaskForm):
    theme = SelectField(_l("Theme"), validators=[InputRequired()])
    minutes = IntegerField(_l("Estimated time (minutes)"),
                           validators=[InputRequired(), NumberRange(0, 10000)])
    quiz_bank = SelectField(_l("Closing quiz: question bank"),
                            description=_l("A question bank: from the library's quizzes/ "
                                            "folder or made under Question banks."))
    pass_mark = IntegerField(_l("Pass mark (%)"), default=80,
                             validators=[InputRequired(), NumberRange(0, 100)])
    attempts_allowed = IntegerField(_l("Attempts allowed"), default=3,
                                    description=_l("0 means no limit."),
                                    validators=[InputRequired(), NumberRange(0, 100)])
    time_limit_minutes = IntegerField(_l("Time limit per attempt (minutes)"),
                                      description=_l("Leave empty for no limit."),
                                      validators=[Optional(), NumberRange(1, 600)])
    questions_per_attempt = IntegerField(_l("Questions per attempt"), default=10,
                                         validators=[InputRequired(), NumberRange(1, 200)])
    shuffle_answers = BooleanField(_l("Shuffle the answers"), default=True)
    show_feedback = BooleanField(_l("Show feedback after an attempt"), default=True)
    show_correct_answers = BooleanField(_l("Show the correct answers after an attempt"),
                                        default=True)
    requires_webinar_attendance = BooleanField(
        _l("Learners must also attend one of the course's webinars"),
        description=_l("A webinar belongs to the course when its trainer names the course "
                       "on the webinar's page. Attendance is marked there, after the "
                       "webinar."))
    save = SubmitField(_l("Save"))

    def settings(self) -> dict:
        """The values for ``editing.update_course_settings`` (theme excepted)."""
        return {name: getattr(self, name).data for name in (
            "minutes", "quiz_bank", "pass_mark", "attempts_allowed", "time_limit_minutes",
            "questions_per_attempt", "shuffle_answers", "show_feedback",
            "show_correct_answers", "requires_webinar_attendance")}


class CourseTextForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), description=_l("Plain text, shown in the catalogue."),
                            validators=[InputRequired(), Length(max=2000)])
    audience = TextAreaField(_l("Audience"), description=_l("One group of people per line."),
                             validators=[Length(max=2000)])
    intro = TextAreaField(_l("Introduction"), description=_MARKDOWN_HINT,
                          validators=[Length(max=200_000)])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))

    def audience_list(self) -> list[str]:
        return [line.strip() for line in (self.audience.data or "").splitlines() if line.strip()]


class NewCourseForm(CourseSettingsForm, CourseTextForm):
    slug = StringField(_l("Address"), description=_l("Part of the course's web address, e.g. "
                                                     "pcb-inventories. Cannot be changed."),
                       validators=[InputRequired(), Length(max=80), _SLUG])
    language = SelectField(_l("Language the course is written in"),
                           validators=[InputRequired()])


class ModuleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    minutes = IntegerField(_l("Estimated time (minutes)"),
                           validators=[Optional(), NumberRange(0, 1000)])
    body = TextAreaField(_l("Text"), description=_MARKDOWN_HINT,
                         validators=[Length(max=200_000)])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class NewModuleForm(ModuleForm):
    slug = StringField(_l("Address"), description=_l("Part of the module's web address, e.g. "
                                                     "hs-codes. Cannot be changed."),
                       validators=[InputRequired(), Length(max=80), _SLUG])


class TranslationForm(FlaskForm):
    language = SelectField(_l("Add a language"), validators=[InputRequired()])


class MediaForm(FlaskForm):
    file = FileField(_l("Image or PDF"), validators=[FileRequired()],
                     description=_l("PNG, JPEG, GIF, WebP or PDF, at most %(kb)s KB.",
                                    kb=2048))
