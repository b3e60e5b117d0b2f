"""Forms shared by several blueprints."""

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class ActionForm(FlaskForm):
    """A button that changes something; only its CSRF token is checked."""


class ConfirmForm(FlaskForm):
    """A button for something that cannot be undone: the box beside it must be ticked first."""

    confirm = BooleanField("I understand this cannot be undone",
                           validators=[DataRequired("Tick the box beside the button to confirm; this cannot be undone.")])
