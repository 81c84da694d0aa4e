"""Space forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget


class ProposeSpaceForm(FlaskForm):
    proposing_community_id = SelectField("On behalf of", coerce=int, validate_choice=False)
    community_ids = SelectMultipleField("Communities to invite", coerce=int, validate_choice=False,
                                        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    title = StringField("Title")
    purpose = TextAreaField("Purpose: what will you do together? (Markdown)")
    ground_rules = TextAreaField("Ground rules (Markdown; members accept them on joining)")


class JoinSpaceForm(FlaskForm):
    accept_ground_rules = BooleanField("I have read the ground rules and accept them")
