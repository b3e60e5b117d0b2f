"""Forms of the admin pages."""

from __future__ import annotations

from wtforms import (
    DateField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import ActionForm, BoundedIntegerField, Form, PlainText, drop_nul

__all__ = ["ActionForm", "ApiTokenForm", "AuditFilterForm", "CandidateSearchForm", "EraseForm", "WebhookForm"]

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
