"""Board forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget


class BoardForm(FlaskForm):
    title = StringField("Board title")
    goal = TextAreaField("Goal: what will the project achieve together? (Markdown)")


class ColumnForm(FlaskForm):
    title = StringField("Column title")
    wip_limit = StringField("Work-in-progress limit (empty for none)")
    done = BooleanField("Done column: its cards are finished, never overdue")
    version = HiddenField()


class QuickCardForm(FlaskForm):
    title = StringField("New card")
    column_id = HiddenField()


class CardForm(FlaskForm):
    title = StringField("Title")
    description = TextAreaField("Description (Markdown)")
    assignee_ids = SelectMultipleField("Assignees", coerce=int, validate_choice=False,
                                       widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    due_on = StringField("Due date", render_kw={"type": "date"})
    labels = StringField("Labels (separated by commas)")
    version = HiddenField()


class MoveCardForm(FlaskForm):
    column_id = SelectField("Move to column", coerce=int, validate_choice=False)
    version = HiddenField()


class ChecklistItemForm(FlaskForm):
    text = StringField("New checklist item")


class VersionForm(FlaskForm):
    """A state-changing button that carries the version it was based on (and, for ticks, the new state)."""
    version = HiddenField()
    done = HiddenField()
    direction = HiddenField()
