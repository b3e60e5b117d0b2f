"""Forms of the hiring manager's pages."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...content import ContentLibrary
from ...domain.decisions import LONGEST_BODY, LONGEST_SUBJECT, OUTCOMES
from ...domain.reminders import expiry_days_read
from ..forms import ActionForm, BoundedIntegerField, Form, PlainText, drop_nul, field_name, row_id

__all__ = ["ActionForm"]


class OpeningForm(Form):
    """A new opening; one include box and time limit per exercise are added from the content."""

    title = StringField("Title", validators=[DataRequired("Give the opening a title."), Length(max=200), PlainText()])
    slug = StringField(
        "Address name", validators=[Optional(), Length(max=80), PlainText()],
        description="Used in links, e.g. apm-growth. Left empty, it is made from the title.",
    )
    invitation_valid_days = BoundedIntegerField(
        "Days an invitation stays valid", default=14,
        validators=[DataRequired("Say how many days."), NumberRange(1, 90, "Choose 1 to 90 days.")],
    )
    ai_enabled = BooleanField("Interviewers may ask the AI aid for a draft scorecard")
    ai_notice = TextAreaField(
        "What candidates are told about the AI aid", validators=[Optional(), Length(max=2000)], filters=[drop_nul],
        description="Shown on the candidate's welcome page when the AI aid is on.",
    )
    submit = SubmitField("Create opening")


def opening_form_class(library: ContentLibrary) -> type[OpeningForm]:
    fields: dict[str, object] = {}
    for versioned in sorted(library.exercises.values(), key=lambda e: e.content.code):
        exercise = versioned.content
        fields[field_name("include", exercise.key)] = BooleanField(
            f"{exercise.code}. {exercise.title}", default=True
        )
        fields[field_name("minutes", exercise.key)] = BoundedIntegerField(
            f"Minutes for {exercise.title}", default=exercise.time_limit_minutes,
            validators=[Optional(), NumberRange(5, 480, "Choose 5 to 480 minutes.")],
        )
    return type("OpeningFormWithExercises", (OpeningForm,), fields)


class InviteForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the candidate's name."), Length(max=200), PlainText()])
    email = EmailField("Email", validators=[DataRequired("Give the candidate's email."), Length(max=254), PlainText()])
    submit = SubmitField("Send invitation")


class BulkInviteForm(Form):
    people = TextAreaField(
        "Paste a list", validators=[DataRequired("Paste at least one line."), Length(max=50000)],
        # No check of the characters here: each line's name and address are checked as that person is invited,
        # so one odd line is reported on its own and the rest go out.
        description="One person per line: “Name <email>”, “Name, email” or “email, Name”.",
    )
    submit = SubmitField("Send invitations")


class InviteFileForm(Form):
    people_file = FileField("Or choose a CSV file", validators=[FileRequired("Choose a CSV file to upload.")],
                            description="A header row with an “Email” column and a “Name” column (or “First name” "
                                        "and “Last name”), as a spreadsheet saves it.")
    submit = SubmitField("Invite from the file")


class BulkLinksForm(Form):
    """Candidates ticked in the list, for a step on each of them."""

    candidates = SelectMultipleField("Candidates", coerce=row_id, validate_choice=False)


class BulkWithdrawForm(BulkLinksForm):
    confirm = BooleanField("End the ticked candidates’ links and sessions now",
                           validators=[DataRequired("Tick the box beside “Withdraw links” to confirm; a withdrawn link "
                                                    "cannot be used again.")])


class ExtendWindowForm(Form):
    days = BoundedIntegerField("Days", default=7, validators=[InputRequired("Choose 1 to 90 days."),
                                                              NumberRange(1, 90, "Choose 1 to 90 days.")])


class ExtendTimeForm(Form):
    minutes = BoundedIntegerField(
        "Minutes", default=15,
        validators=[InputRequired("Choose 1 to 240 minutes."), NumberRange(1, 240, "Choose 1 to 240 minutes.")]
    )


class AssignForm(Form):
    attempt_id = BoundedIntegerField(validators=[DataRequired()])
    interviewer_id = SelectField("Interviewer", coerce=row_id, validators=[DataRequired("Choose an interviewer.")],
                                 validate_choice=False)
    due = DateField("Due", validators=[Optional()])


class DaysField(StringField):
    """Whole days separated by commas ("3, 1"), read as a list of days, closest last."""

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = []
            self.data = expiry_days_read(str(valuelist[0])[:200])

    def _value(self) -> str:
        return str(self.raw_data[0]) if self.raw_data else ", ".join(map(str, self.data or []))


class SettingsForm(Form):
    invitation_valid_days = BoundedIntegerField(
        "Days a new invitation stays valid", validators=[DataRequired(), NumberRange(1, 90, "Choose 1 to 90 days.")]
    )
    interviewers_per_submission = BoundedIntegerField(
        "Interviewers per submission", validators=[DataRequired(), NumberRange(1, 6, "Choose 1 to 6.")]
    )
    retention_days = BoundedIntegerField(
        "Days candidates' data is kept after their last activity",
        validators=[DataRequired("Say how many days."), NumberRange(30, 1095, "Choose 30 to 1095 days.")],
        description="Then names, emails, answers and notes are erased automatically; anonymous scores stay.",
    )
    calibration_required = BooleanField("Interviewers must pass a calibration session before scoring candidates")
    ai_enabled = BooleanField("Interviewers may ask the AI aid for a draft scorecard")
    ai_draft_timing = SelectField("When the AI draft may be opened", validate_choice=True)
    ai_notice = TextAreaField("What candidates are told about the AI aid", validators=[Optional(), Length(max=2000)],
                              filters=[drop_nul])
    auto_assign = BooleanField("Give handed-in work its interviewers as it arrives",
                               description="The least busy interviewers first; only those who have passed "
                               "calibration where the opening requires it. Each is emailed what they were given.")
    expiry_reminder_days = DaysField(
        "Remind candidates this many days before their link expires",
        description="Only those who have not handed everything in. Separate the days with commas; leave it "
        "empty for no reminders.")
    overdue_reminder_days = BoundedIntegerField(
        "Remind interviewers of an overdue scorecard every (days)",
        validators=[NumberRange(0, 30, "Choose 0 to 30 days (0 for never).")],
        description="0 for never. A reminder sent by hand counts too.")
    third_interviewer_gap = SelectField(
        "Ask a third interviewer by themselves", validate_choice=True,
        coerce=lambda value: None if value in (None, "", "None") else int(value),
        choices=[SelectChoice(None, "Never; I ask myself"),
                 SelectChoice(2, "At 2 or more points apart"),
                 SelectChoice(3, "At 3 points apart")],
        description="When two scorecards are that far apart on a dimension, once every scorecard asked for is in; "
        "nobody is added beyond that.")
    company_name = StringField("Company name on emails to candidates", validators=[Optional(), Length(max=120),
                                                                                   PlainText()],
                               description="Shown as the sender and in the signature. Leave empty to send as assess.")
    reply_to = EmailField("Candidates' replies go to", validators=[Optional(), Length(max=254), PlainText()],
                          description="Also the address candidates are told to write to. Leave empty for the "
                          "opening's hiring manager.")
    submit = SubmitField("Save settings")


class DecisionForm(Form):
    # The outcome is checked where decisions are recorded, which names the outcomes there are.
    outcome = SelectField("Decision", validate_choice=False,
                          choices=[SelectChoice(key, label) for key, label in OUTCOMES.items()])
    rationale = TextAreaField("Why", validators=[DataRequired("Give the reason."), Length(max=4000),
                                                 PlainText("The reason", multiline=True)], filters=[drop_nul])
    tell_candidate = BooleanField("Email the candidate this decision",
                                  description="The opening's email for the outcome, from its settings.")
    submit = SubmitField("Record decision")


class BulkDecisionForm(DecisionForm):
    candidates = SelectMultipleField("Candidates", coerce=row_id, validate_choice=False)
    submit = SubmitField("Record for those ticked")


class DecisionEmailsForm(Form):
    """The email each outcome may send the candidate; {name} and {opening} are filled in."""

    submit = SubmitField("Save the emails")


for _key, _label in OUTCOMES.items():
    setattr(DecisionEmailsForm, f"{_key}_subject", StringField(f"{_label}: subject", filters=[drop_nul],
                                                               validators=[Length(max=LONGEST_SUBJECT, message=f"Keep it under {LONGEST_SUBJECT:,} characters.")]))
    setattr(DecisionEmailsForm, f"{_key}_body", TextAreaField(f"{_label}: message", filters=[drop_nul],
                                                              validators=[Length(max=LONGEST_BODY, message=f"Keep it under {LONGEST_BODY:,} characters.")]))


class CalibrationForm(Form):
    benchmark = SelectField("Benchmark answer", validate_choice=True)
    submit = SubmitField("Start a calibration session")


class ConfirmStepForm(Form):
    """An irreversible step: carried out only when sent from its confirmation page."""

    confirm = HiddenField()
    early = HiddenField()
    seen = HiddenField()  # what the confirmation showed, where the step checks it has not changed since


class RevisionDecisionForm(Form):
    note = TextAreaField("Note to the interviewer (optional)", validators=[Optional(), Length(max=1000)], filters=[drop_nul])
    approve = SubmitField("Approve")
    refuse = SubmitField("Refuse")


class MemberForm(Form):
    user_id = SelectField("Person", coerce=row_id, validate_choice=False,
                          validators=[DataRequired("Choose a hiring manager or recruiter to add.")])


class RecruiterSightForm(Form):
    shown = BooleanField("Recruiters on this opening may read candidates' work, scorecards and results")
