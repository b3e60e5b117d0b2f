"""Forms of the hiring manager's pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...content import ContentLibrary
from ..forms import ActionForm

__all__ = ["ActionForm"]


class OpeningForm(FlaskForm):
    """A new opening; one include box and time limit per exercise are added from the content."""

    title = StringField("Title", validators=[DataRequired("Give the opening a title."), Length(max=200)])
    slug = StringField(
        "Address name", validators=[Optional(), Length(max=80)],
        description="Used in links, e.g. apm-growth. Left empty, it is made from the title.",
    )
    invitation_valid_days = IntegerField(
        "Days an invitation stays valid", default=14,
        validators=[DataRequired("Say how many days."), NumberRange(1, 90, "Choose 1 to 90 days.")],
    )
    ai_enabled = BooleanField("Interviewers may ask the AI aid for a draft scorecard")
    ai_notice = TextAreaField(
        "What candidates are told about the AI aid", validators=[Optional(), Length(max=2000)],
        description="Shown on the candidate's welcome page when the AI aid is on.",
    )
    submit = SubmitField("Create opening")


def include_field(key: str) -> str:
    return f"include_{key.replace('-', '_')}"


def minutes_field(key: str) -> str:
    return f"minutes_{key.replace('-', '_')}"


def opening_form_class(library: ContentLibrary) -> type[OpeningForm]:
    fields: dict[str, object] = {}
    for versioned in sorted(library.exercises.values(), key=lambda e: e.content.code):
        exercise = versioned.content
        fields[include_field(exercise.key)] = BooleanField(
            f"{exercise.code}. {exercise.title}", default=True
        )
        fields[minutes_field(exercise.key)] = IntegerField(
            f"Minutes for {exercise.title}", default=exercise.time_limit_minutes,
            validators=[Optional(), NumberRange(5, 480, "Choose 5 to 480 minutes.")],
        )
    return type("OpeningFormWithExercises", (OpeningForm,), fields)


class InviteForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the candidate's name."), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired("Give the candidate's email."), Length(max=254)])
    submit = SubmitField("Send invitation")


class BulkInviteForm(FlaskForm):
    people = TextAreaField(
        "Paste a list", validators=[DataRequired("Paste at least one line."), Length(max=50000)],
        description="One person per line: “Name <email>”, “Name, email” or “email, Name”.",
    )
    submit = SubmitField("Send invitations")


class ExtendWindowForm(FlaskForm):
    days = IntegerField("Days", default=7, validators=[DataRequired(), NumberRange(1, 90, "Choose 1 to 90 days.")])


class ExtendTimeForm(FlaskForm):
    minutes = IntegerField(
        "Minutes", default=15, validators=[DataRequired(), NumberRange(1, 240, "Choose 1 to 240 minutes.")]
    )


class AssignForm(FlaskForm):
    attempt_id = IntegerField(validators=[DataRequired()])
    interviewer_id = SelectField("Interviewer", coerce=int, validators=[DataRequired("Choose an interviewer.")],
                                 validate_choice=False)
    due = DateField("Due", validators=[Optional()])


class SettingsForm(FlaskForm):
    invitation_valid_days = IntegerField(
        "Days a new invitation stays valid", validators=[DataRequired(), NumberRange(1, 90, "Choose 1 to 90 days.")]
    )
    interviewers_per_submission = IntegerField(
        "Interviewers per submission", validators=[DataRequired(), NumberRange(1, 6, "Choose 1 to 6.")]
    )
    retention_days = IntegerField(
        "Days candidates' data is kept after their last activity",
        validators=[DataRequired("Say how many days."), NumberRange(30, 1095, "Choose 30 to 1095 days.")],
        description="Then names, emails, answers and notes are erased automatically; anonymous scores stay.",
    )
    calibration_required = BooleanField("Interviewers must pass a calibration session before scoring candidates")
    ai_enabled = BooleanField("Interviewers may ask the AI aid for a draft scorecard")
    ai_draft_timing = SelectField("When the AI draft may be opened", validate_choice=True)
    ai_notice = TextAreaField("What candidates are told about the AI aid", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save settings")


class DecisionForm(FlaskForm):
    outcome = SelectField("Decision", validate_choice=True,
                          choices=[SelectChoice("advance", "Advance"), SelectChoice("hold", "Hold"),
                                   SelectChoice("reject", "Reject")])
    rationale = TextAreaField("Why", validators=[DataRequired("Give the reason."), Length(max=4000)])
    submit = SubmitField("Record decision")


class CalibrationForm(FlaskForm):
    benchmark = SelectField("Benchmark answer", validate_choice=True)
    submit = SubmitField("Start a calibration session")


class ConfirmForm(FlaskForm):
    """An irreversible step: carried out only when sent from its confirmation page."""

    confirm = HiddenField()
    early = HiddenField()


class RevisionDecisionForm(FlaskForm):
    note = TextAreaField("Note to the interviewer (optional)", validators=[Optional(), Length(max=1000)])
    approve = SubmitField("Approve")
    refuse = SubmitField("Refuse")
