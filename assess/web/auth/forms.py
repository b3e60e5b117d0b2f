from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import Form, PlainText


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired("Enter your work email."), Length(max=254), PlainText()])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=200)]
    )
    submit = SubmitField("Sign in")


class SignOutForm(Form):
    submit = SubmitField("Sign out")


class SignOutEverywhereForm(Form):
    submit = SubmitField("Sign out everywhere")
