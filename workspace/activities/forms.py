"""Activity forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, RadioField, StringField, TextAreaField

from workspace.activities.models import NOT_USEFUL, PARTLY, USEFUL


class StartActivityForm(FlaskForm):
    template = RadioField("Template", validate_choice=False)
    starts_on = StringField("Start date", render_kw={"type": "date"})
    ends_on = StringField("End date (empty: the template's timebox)", render_kw={"type": "date"})


class StepForm(FlaskForm):
    done = HiddenField()


class JudgementForm(FlaskForm):
    community_id = RadioField("For the community", coerce=int, validate_choice=False)
    verdict = RadioField("Was this useful to us?", choices=[(USEFUL, "Useful"), (PARTLY, "Partly"),
                                                            (NOT_USEFUL, "Not useful")], validate_choice=False)
    would_change = TextAreaField("What would you change?")


class CopyTemplateForm(FlaskForm):
    template = HiddenField()


class StepRow(Form):
    title = StringField("Title")
    prompt = TextAreaField("Facilitation prompt")


class SectionRow(Form):
    heading = StringField("Heading")
    prompt = TextAreaField("What to write here")


class ColumnRow(Form):
    title = StringField("Column")


class CardRow(Form):
    column = StringField("In column")
    title = StringField("Card")


class GlossaryRow(Form):
    task = StringField("Task")
    terms = StringField("Terms each community adds", render_kw={"inputmode": "numeric"})


def _rows(row, most: int):
    # one more than the schema allows, so an over-long list is refused by the schema's words, not cut silently
    return FieldList(FormField(row), max_entries=most + 1)


class TemplateForm(FlaskForm):
    """A community template, field by field; the rows are the shipped files' lists (schema in library.py)."""

    name = StringField("Name")
    situation = TextAreaField("The situation it suits")
    asks = StringField("What it asks of each community")
    timebox_days = StringField("Timebox in days (1 to 90)", render_kw={"inputmode": "numeric"})
    steps = _rows(StepRow, 20)
    makes_document = BooleanField("It creates a joint-response document")
    document_title = StringField("Document title")
    sections = _rows(SectionRow, 30)
    makes_board = BooleanField("It creates a board")
    board_title = StringField("Board title")
    board_goal = TextAreaField("The board's goal (optional)")
    columns = _rows(ColumnRow, 20)
    cards = _rows(CardRow, 50)
    makes_glossary = BooleanField("It sets glossary tasks")
    glossary = _rows(GlossaryRow, 10)
    shared = BooleanField("Share it with the spaces our community is in")
