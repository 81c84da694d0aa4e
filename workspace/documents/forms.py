"""Document forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from workspace.documents.models import POSITION_LABELS


class DocumentForm(FlaskForm):
    title = StringField("Title")
    responds_to = StringField("What it responds to (an event or a policy; optional)")
    responds_to_url = StringField("Link to it (optional)")


class VersionForm(FlaskForm):
    note = StringField("Note (what this version is)", id="version-note")  # the position form has a note too


class PositionForm(FlaskForm):
    community_id = SelectField("On behalf of", coerce=int, validate_choice=False)
    position = SelectField("Position", choices=list(POSITION_LABELS.items()), validate_choice=False)
    note = TextAreaField("Note (required to block or to endorse with reservations; published)")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Why withdraw it? (optional)")
