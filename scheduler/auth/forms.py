"""Forms of the login area."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=10, max=200)]
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("new_password")]
    )
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    submit = SubmitField("Send me a reset link")


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password", validators=[DataRequired(), Length(min=10, max=200)]
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("new_password")]
    )
    submit = SubmitField("Set new password")
