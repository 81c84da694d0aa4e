"""Activity forms: fields and CSRF only; the services hold the rules."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField

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


class TemplateForm(FlaskForm):
    """A community template's fields; the steps and what it creates are written as YAML, like the shipped files."""

    name = StringField("Name")
    situation = TextAreaField("The situation it suits")
    asks = StringField("What it asks of each community")
    timebox_days = StringField("Timebox in days (1 to 90)", render_kw={"inputmode": "numeric"})
    steps = TextAreaField("Steps (YAML: a list of title and prompt)")
    creates = TextAreaField("What it creates (YAML: document, board, glossary)")
    shared = BooleanField("Share it with the spaces our community is in")
