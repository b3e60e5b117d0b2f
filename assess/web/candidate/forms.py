"""Forms of the candidate's pages; the answer form is built per exercise."""

from __future__ import annotations

from pydantic import BaseModel, Field
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ...content.schema import Exercise
from ...domain.autosave import answer_length
from ..forms import LARGEST_INT, BoundedIntegerField, Form, PlainLineText, PlainText, StorableText, drop_nul, field_name


class StartForm(Form):
    submit = SubmitField("Start this exercise")


class DeclineAiForm(Form):
    submit = SubmitField("Ask that no AI reads my work")


class AnswerForm(Form):
    """The fields every answer form has; one text area per section is added per exercise."""

    client_id = HiddenField(validators=[Length(max=64), PlainText("The tab's id")])
    base_revision = BoundedIntegerField(validators=[Optional(), NumberRange(min=0)])
    confirm = BooleanField("I have finished and want to submit this answer")
    save = SubmitField("Save")
    take_over = SubmitField("Save this text instead")
    submit = SubmitField("Submit…")


def answer_form_class(exercise: Exercise) -> type[AnswerForm]:
    """An AnswerForm with a text area per section of the exercise, limited to its length."""
    fields = {
        field_name("answer", section.key): TextAreaField(
            section.title,
            validators=[AnswerLength(section.title, section.max_chars)],
            filters=[drop_nul],
        )
        for section in exercise.sections
    }
    return type(f"AnswerForm_{exercise.key.replace('-', '_')}", (AnswerForm,), fields)


class AnswerLength:
    """The length limit of an answer, counted as the page counts it (see domain.autosave)."""

    def __init__(self, title: str, limit: int) -> None:
        self.title, self.limit = title, limit

    def __call__(self, _form: object, field: TextAreaField) -> None:
        if answer_length(field.data or "") > self.limit:
            raise ValidationError(
                f"{self.title} can be at most {self.limit:,} characters; "
                "shorten it and save again. Your text is still here."
            )


def answers_from(form: AnswerForm, exercise: Exercise) -> dict[str, str]:
    return {
        section.key: form[field_name("answer", section.key)].data or ""
        for section in exercise.sections
    }


class AutosaveRequest(BaseModel):
    """The JSON body of a background save."""

    client_id: PlainLineText = Field(min_length=8, max_length=64)
    seq: int = Field(ge=1, le=LARGEST_INT)
    base_revision: int = Field(ge=0, le=LARGEST_INT)
    answers: dict[str, StorableText]
    # The candidate chose to continue with this tab's text over a newer copy from another tab.
    take_over: bool = False
    # Text found in this browser from a tab that is gone; it is kept as a copy, never as the draft.
    keep_as_copy: bool = False


class PreviewRequest(BaseModel):
    text: str = Field(max_length=60000)
