"""Forms of the admin pages."""

from __future__ import annotations

from wtforms import (
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from ...models import Role
from ..forms import ActionForm, BoundedIntegerField, Form, PlainText, drop_nul

__all__ = ["ActionForm", "ApiTokenForm", "AuditFilterForm", "CandidateSearchForm", "EraseForm", "RoleForm",
           "StaffInviteForm", "WebhookForm"]

ANY = ""


class AuditFilterForm(Form):
    """Filters read from the query string; a bookmarkable GET, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", default=ANY, validators=[Optional()])
    actor = SelectField("Who", default=ANY, validators=[Optional()])
    subject_type = SelectField("Subject", default=ANY, validators=[Optional()])
    subject_id = BoundedIntegerField("Subject id", validators=[Optional(), NumberRange(1, message="Use a positive id.")])
    since = DateField("From", validators=[Optional()])
    until = DateField("Until (inclusive)", validators=[Optional()])
    page = BoundedIntegerField(default=1, validators=[Optional(), NumberRange(1)])

    def offer(self, actions: list[str], kinds: list[str], staff: list[tuple[int, str]], subjects: list[str]) -> None:
        self.action.choices = [SelectChoice(ANY, "Any action"), *(SelectChoice(a, a) for a in actions)]
        self.actor.choices = [
            SelectChoice(ANY, "Anyone"),
            *(SelectChoice(f"kind:{k}", f"Any {k.replace('_', ' ')}") for k in kinds),
            *(SelectChoice(f"user:{user_id}", name) for user_id, name in staff),
        ]
        self.subject_type.choices = [SelectChoice(ANY, "Any subject"), *(SelectChoice(s, s) for s in subjects)]


class CandidateSearchForm(Form):
    email = StringField("Candidate's email", validators=[DataRequired("Type the candidate's email address."),
                                                          Length(max=254), PlainText()])


class EraseForm(Form):
    confirm = StringField("Type the candidate's email to confirm",
                          validators=[DataRequired("Type the candidate's email to confirm."), PlainText()])
    reason = TextAreaField("Why", validators=[DataRequired("Say why, e.g. the candidate asked on 3 May."),
                                              Length(max=500)], filters=[drop_nul])


class ApiTokenForm(Form):
    name = StringField("Name", validators=[DataRequired("Name the token after the system that will use it."),
                                           Length(max=120), PlainText()],
                       description="The system that will use it, e.g. Greenhouse sync.")
    scopes = SelectMultipleField("What it may do", validators=[DataRequired("Choose at least one scope.")],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))

    def offer(self, scopes: dict[str, str]) -> ApiTokenForm:
        self.scopes.choices = [SelectChoice(key, f"{key}: {text}") for key, text in scopes.items()]
        return self


class WebhookForm(Form):
    url = StringField("Address", validators=[DataRequired("Give the address that receives the calls."),
                                             Length(max=500), PlainText()],
                      description="Your system's HTTPS address for these calls.")
    events = SelectMultipleField("Events", validators=[DataRequired("Choose at least one event.")],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))

    def offer(self, events: dict[str, str]) -> WebhookForm:
        self.events.choices = [SelectChoice(key, f"{key}: {text}") for key, text in events.items()]
        return self


ROLE_MISSING = "Choose one of the roles in the list: interviewer, recruiter, hiring manager or admin."
ROLE_CHOICES = [
    SelectChoice(Role.INTERVIEWER.value, "Interviewer: scores the work given to them"),
    SelectChoice(Role.RECRUITER.value, "Recruiter: invites candidates and follows progress on their openings"),
    SelectChoice(Role.HIRING_MANAGER.value, "Hiring manager: runs openings, assigns, decides"),
    SelectChoice(Role.ADMIN.value, "Admin: manages staff, content, data and integrations"),
]


class StaffInviteForm(Form):
    name = StringField("Name", validators=[DataRequired("Give the person's name."), Length(max=200), PlainText()])
    email = EmailField("Work email", validators=[DataRequired("Give their work email: it is how they sign in."),
                                                 Length(max=254), PlainText()])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.INTERVIEWER.value, validate_choice=False,
                       validators=[AnyOf([c.value for c in ROLE_CHOICES], message=ROLE_MISSING)])


class RoleForm(Form):
    role = SelectField("Role", choices=[SelectChoice(c.value, Role(c.value).label) for c in ROLE_CHOICES],
                       validate_choice=False, validators=[AnyOf([c.value for c in ROLE_CHOICES], message=ROLE_MISSING)])
