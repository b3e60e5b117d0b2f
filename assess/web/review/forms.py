"""The scorecard form, built from the scorecard version being scored against."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...content.schema import Scorecard
from ...domain.scoring import RatingInput, ScorecardInput
from ..forms import Form, drop_nul, field_name


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ScorecardForm(Form):
    """Overall fields; a rating, evidence note and signals per dimension are added per version."""

    recommendation = RadioField("Overall recommendation", validators=[Optional()], validate_choice=True)
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=5000)], filters=[drop_nul])
    save = SubmitField("Save draft")
    submit = SubmitField("Submit scorecard")


class ReopenForm(Form):
    reason = TextAreaField(
        "Why reopen it?", validators=[Length(max=1000)], filters=[drop_nul],
        description="Recorded in the audit log with the scores as they stand now.",
    )
    submit = SubmitField("Reopen scorecard")


def scorecard_form_class(content: Scorecard) -> type[ScorecardForm]:
    fields: dict[str, object] = {}
    for scored in content.dimensions:
        key = scored.dimension.key
        fields[field_name("score", key)] = RadioField(
            scored.dimension.name,
            choices=[SelectChoice(level.score, f"{level.score} · {level.label}") for level in content.scale.levels],
            coerce=int, validators=[Optional()], validate_choice=True,
        )
        fields[field_name("evidence", key)] = TextAreaField(
            f"Evidence for {scored.dimension.name}", validators=[Optional(), Length(max=4000)], filters=[drop_nul]
        )
        fields[field_name("signals", key)] = CheckboxesField(
            "Signals", choices=[SelectChoice(s.key, s.text) for s in content.signals_for(key)],
            validators=[Optional()],
        )
    form_class = type("ScorecardFormFor", (ScorecardForm,), fields)
    return form_class


def with_recommendations(form: ScorecardForm, content: Scorecard) -> ScorecardForm:
    form.recommendation.choices = [SelectChoice(r.key, r.label) for r in content.recommendations]
    return form


def scorecard_input(form: ScorecardForm, content: Scorecard) -> ScorecardInput:
    ratings = {
        scored.dimension.key: RatingInput(
            score=form[field_name("score", scored.dimension.key)].data,
            evidence=form[field_name("evidence", scored.dimension.key)].data or "",
            signals=tuple(form[field_name("signals", scored.dimension.key)].data or ()),
        )
        for scored in content.dimensions
    }
    return ScorecardInput(ratings=ratings, recommendation=form.recommendation.data or None,
                          summary=form.summary.data or "")
