"""Community forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField


class CommunityForm(FlaskForm):
    name = StringField("Name")
    slug = StringField("Slug (used in addresses, e.g. social-work)")
    description = TextAreaField("Description (Markdown)")
    colour = StringField("Colour (hex; white text must stay readable on it)", default="#1f5f8b")


class JoinRequestForm(FlaskForm):
    message = TextAreaField("Message to the stewards (optional)")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[("member", "Member"), ("steward", "Steward")])
