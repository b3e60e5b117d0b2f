"""Forms, fields and validators shared by several blueprints, and the field types of JSON models."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from pydantic import AfterValidator, Field, ValidationInfo
from wtforms import Field as FormField
from wtforms import BooleanField, IntegerField
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, ValidationError

from ..domain.text import hidden_character_problem, without_nul

# Row ids, counts and revisions are PostgreSQL integers: 32 bits, signed.
SMALLEST_INT = -(2**31)
LARGEST_INT = 2**31 - 1


# The fields a form grows per content key: an answer per section, an include box and time limit per
# exercise, a score, evidence note and signals per dimension.
FieldKind = Literal["answer", "include", "minutes", "score", "evidence", "signals"]


def field_name(kind: FieldKind, key: str) -> str:
    """The name (and id) of the field of this kind for one content key, e.g. include_a_mini_prd.

    Keys are slugs; a hyphen becomes an underscore, so the name is also a plain HTML id and CSS selector.
    """
    return f"{kind}_{key.replace('-', '_')}"


class Form(FlaskForm):
    """The base of every form: it reads a browser's form fields, never a JSON body."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: BaseForm, formdata: Any) -> Any:
            # Flask-WTF would read a JSON body as the form's fields, handing a list or a nested object
            # to fields that expect text; a JSON body sent to a form is an empty form.
            if formdata is _Auto and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)


class ActionForm(Form):
    """A button that changes something; only its CSRF token is checked."""


class BoundedIntegerField(IntegerField):
    """A whole number that fits the database's integer columns; anything larger is a clear error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not SMALLEST_INT <= self.data <= LARGEST_INT:
            self.data = None
            raise ValueError(f"{self.label.text or 'This number'} must be between {SMALLEST_INT:,} and {LARGEST_INT:,}.")


def row_id(value: Any) -> int:
    """Coerce a chosen option to the id of a row; a number no row can have is not a valid choice."""
    number = int(value)
    if not 1 <= number <= LARGEST_INT:
        raise ValueError(f"{number} is not an id.")
    return number


class PlainText:
    """Text a person reads as it is stored: no control, invisible or direction characters (bar line breaks
    and tabs when multiline)."""

    def __init__(self, what: str | None = None, *, multiline: bool = False) -> None:
        self.what = what
        self.multiline = multiline

    def __call__(self, form: BaseForm, field: FormField) -> None:
        if isinstance(field.data, str):
            what = self.what or f"The {(field.label.text or field.name).lower()}"
            problem = hidden_character_problem(field.data, what, multiline=self.multiline)
            if problem:
                raise ValidationError(problem)


def drop_nul(value: Any) -> Any:
    """A filter for text areas: NUL cannot be stored, and removing it loses nothing anyone typed."""
    return without_nul(value) if isinstance(value, str) else value


def _plain_line(value: str, info: ValidationInfo) -> str:
    problem = hidden_character_problem(value, f"The {(info.field_name or 'text').replace('_', ' ')}")
    if problem:
        raise ValueError(problem)
    return value


def _plain_lines(value: str, info: ValidationInfo) -> str:
    value = without_nul(value)
    problem = hidden_character_problem(value, f"The {(info.field_name or 'text').replace('_', ' ')}", multiline=True)
    if problem:
        raise ValueError(problem)
    return value


# Field types for JSON models, the same rules as the forms'.
PlainLineText = Annotated[str, AfterValidator(_plain_line)]
# Several lines a person reads (a reason, a note): NUL dropped as the forms drop it, other hidden characters refused.
PlainLinesText = Annotated[str, AfterValidator(_plain_lines)]
StorableText = Annotated[str, AfterValidator(without_nul)]
StoredInt = Annotated[int, Field(ge=SMALLEST_INT, le=LARGEST_INT)]


class ConfirmForm(Form):
    """A button for something that cannot be undone: the box beside it must be ticked first."""

    confirm = BooleanField("I understand this cannot be undone",
                           validators=[DataRequired("Tick the box beside the button to confirm; this cannot be undone.")])
