"""Forms of the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import ActionForm

__all__ = ["ActionForm", "AuditFilterForm", "CandidateSearchForm", "EraseForm"]

ANY = ""


class AuditFilterForm(FlaskForm):
    """Filters read from the query string; a bookmarkable GET, so no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField("Action", default=ANY, validators=[Optional()])
    actor = SelectField("Who", default=ANY, validators=[Optional()])
    subject_type = SelectField("Subject", default=ANY, validators=[Optional()])
    subject_id = IntegerField("Subject id", validators=[Optional(), NumberRange(1, message="Use a positive id.")])
    since = DateField("From", validators=[Optional()])
    until = DateField("Until (inclusive)", validators=[Optional()])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(1)])

    def offer(self, actions: list[str], kinds: list[str], staff: list[tuple[int, str]], subjects: list[str]) -> None:
        self.action.choices = [SelectChoice(ANY, "Any action"), *(SelectChoice(a, a) for a in actions)]
        self.actor.choices = [
            SelectChoice(ANY, "Anyone"),
            *(SelectChoice(f"kind:{k}", f"Any {k.replace('_', ' ')}") for k in kinds),
            *(SelectChoice(f"user:{user_id}", name) for user_id, name in staff),
        ]
        self.subject_type.choices = [SelectChoice(ANY, "Any subject"), *(SelectChoice(s, s) for s in subjects)]


class CandidateSearchForm(FlaskForm):
    class Meta:
        csrf = False

    email = StringField("Candidate's email", validators=[DataRequired("Type the candidate's email address."),
                                                          Length(max=254)])


class EraseForm(FlaskForm):
    confirm = StringField("Type the candidate's email to confirm",
                          validators=[DataRequired("Type the candidate's email to confirm.")])
    reason = TextAreaField("Why", validators=[DataRequired("Say why, e.g. the candidate asked on 3 May."),
                                              Length(max=500)])
