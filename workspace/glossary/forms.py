"""Glossary forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, HiddenField, SelectField, StringField, TextAreaField

from workspace.glossary.models import RELATIONS
from workspace.glossary.services import RELATION_LABELS


class TermForm(FlaskForm):
    term = StringField("Term (1 to 80 characters)")
    aliases = TextAreaField("Aliases: variants and abbreviations, one per line")
    definition = TextAreaField("Definition (Markdown)")
    example = TextAreaField("An example of use (optional)")
    status = SelectField("Status", choices=[("active", "Active"), ("deprecated", "Deprecated"),
                                            ("loaded", "Loaded: another community may hear a stereotype")])
    loaded_note = TextAreaField("If loaded: what might others hear in it, and why?")
    version = HiddenField()


class BridgeForm(FlaskForm):
    from_term_id = SelectField("First term", coerce=int, validate_choice=False)
    relation = SelectField("Relation (of the second term to the first)",
                           choices=[(r, RELATION_LABELS[r]) for r in RELATIONS])
    to_term_id = SelectField("Second term (another community's)", coerce=int, validate_choice=False)
    note = TextAreaField("Note (optional): what is the same, what differs?")


class DisputeForm(FlaskForm):
    reason = TextAreaField("Why do you disagree?")


class GlossarySettingsForm(FlaskForm):
    members_edit_directly = BooleanField("Members edit the glossary directly (no steward approval)")


class ReaderPreferenceForm(FlaskForm):
    reading_community_id = SelectField("Read as", coerce=int, validate_choice=False)
    annotations_enabled = BooleanField("Mark other communities' terms in what I read")
    next = HiddenField()


class ImportForm(FlaskForm):
    file = FileField("A CSV file or a SKOS Turtle (.ttl) file")

