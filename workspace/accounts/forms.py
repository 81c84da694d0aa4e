"""Account forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField


class RegisterForm(FlaskForm):
    email = EmailField("Email")
    display_name = StringField("Display name")
    password = PasswordField("Password (10 characters or more)")


class LoginForm(FlaskForm):
    email = EmailField("Email")
    password = PasswordField("Password")
    remember = BooleanField("Keep me signed in on this device")


class ProfileForm(FlaskForm):
    display_name = StringField("Display name")


class TokenForm(FlaskForm):
    name = StringField("What is this token for?")


class ActionForm(FlaskForm):
    """A button that changes state: CSRF only."""


class ResetRequestForm(FlaskForm):
    email = EmailField("Email")


class ResetForm(FlaskForm):
    password = PasswordField("New password (10 characters or more)")
