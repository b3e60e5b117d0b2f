from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

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


class WorkEmailsForm(Form):
    assignment_emails = BooleanField("Email me when I am given work to score")
    daily_digest = BooleanField("Email me each morning what I have open, overdue first")
    submit = SubmitField("Save email choices")


class ForgotPasswordForm(Form):
    email = EmailField("Your work email", validators=[DataRequired("Enter your work email."), Length(max=254),
                                                      PlainText()])
    submit = SubmitField("Email me a link")


class ChoosePasswordForm(Form):
    password = PasswordField("New password", validators=[DataRequired("Choose a password."), Length(max=200)],
                             description="At least 12 characters; a few words you will remember work well.")
    again = PasswordField("The same password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords are not the same.")])
    submit = SubmitField("Set my password")
