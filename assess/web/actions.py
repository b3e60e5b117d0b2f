"""The one shape of a button that changes something: check the form, run one step, say what happened, go back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..errors import AppError


@dataclass(frozen=True)
class Said:
    """What a step reports; a step that went through but left something undone says so as a warning."""

    message: str
    category: str = "success"


def flash_errors(form: FlaskForm, instead: str | None = None) -> None:
    """Each of the form's errors as a message, or one message that says what to do instead."""
    if instead is not None:
        flash(instead, "error")
        return
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def run(form: FlaskForm, step: Callable[[], str | Said], *, back: str, invalid: str | None = None,
        raises: tuple[type[AppError], ...] = ()) -> Response:
    """Validate the form; run the step; flash its report or the reason it was refused; redirect back.

    Errors of the kinds in `raises` are not flashed but answered as pages (an unknown id is a 404)."""
    if not form.validate_on_submit():
        flash_errors(form, invalid)
        return redirect(back)
    try:
        said = step()
    except raises:
        raise
    except AppError as error:
        flash(error.message, "error")
    else:
        said = said if isinstance(said, Said) else Said(said)
        flash(said.message, said.category)
    return redirect(back)
