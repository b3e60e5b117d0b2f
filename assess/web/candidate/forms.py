"""Forms of the candidate's pages; the answer form is built per exercise."""

from __future__ import annotations

from pydantic import BaseModel, Field
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from ...content.schema import Exercise
from ..forms import LARGEST_INT, BoundedIntegerField, Form, PlainLineText, PlainText, StorableText, drop_nul


class StartForm(Form):
    submit = SubmitField("Start this exercise")


class AnswerForm(Form):
    """The fields every answer form has; one text area per section is added per exercise."""

    client_id = HiddenField(validators=[Length(max=64), PlainText("The tab's id")])
    base_revision = BoundedIntegerField(validators=[Optional(), NumberRange(min=0)])
    confirm = BooleanField("I have finished and want to submit this answer")
    save = SubmitField("Save")
    submit = SubmitField("Submit…")


def answer_field_name(section_key: str) -> str:
    return f"answer_{section_key}"


def answer_form_class(exercise: Exercise) -> type[AnswerForm]:
    """An AnswerForm with a text area per section of the exercise, limited to its length."""
    fields = {
        answer_field_name(section.key): TextAreaField(
            section.title,
            validators=[
                Length(
                    max=section.max_chars,
                    message=f"{section.title} can be at most {section.max_chars:,} characters; "
                    "shorten it and save again. Your text is still here.",
                )
            ],
            filters=[drop_nul],
        )
        for section in exercise.sections
    }
    return type(f"AnswerForm_{exercise.key.replace('-', '_')}", (AnswerForm,), fields)


def answers_from(form: AnswerForm, exercise: Exercise) -> dict[str, str]:
    return {
        section.key: form[answer_field_name(section.key)].data or ""
        for section in exercise.sections
    }


class AutosaveRequest(BaseModel):
    """The JSON body of a background save."""

    client_id: PlainLineText = Field(min_length=8, max_length=64)
    seq: int = Field(ge=1, le=LARGEST_INT)
    base_revision: int = Field(ge=0, le=LARGEST_INT)
    answers: dict[str, StorableText]


class PreviewRequest(BaseModel):
    text: str = Field(max_length=60000)
