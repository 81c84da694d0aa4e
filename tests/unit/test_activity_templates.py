"""Activity template files: the shipped ones fit the schema; a bad one stops start-up naming file and field."""
import pytest

from tests.conftest import test_config as app_config
from workspace import create_app
from workspace.activities import library

NAMED_IN_THE_ISSUE = {"referral-guidelines", "shared-vocabulary-sprint", "one-case-every-view",
                      "what-we-think-you-value", "first-hour-protocol", "joint-visit-rota"}

GOOD = """\
name: Tiny
situation: A test.
asks: Five minutes each.
timebox_days: 3
steps:
  - title: Do it
    prompt: Just do it.
creates:
  board:
    title: Tiny board
    columns: [To do, Done]
    cards:
      - column: To do
        title: First card
"""


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_every_shipped_template_fits_the_schema():
    templates = library.load_directory()
    assert NAMED_IN_THE_ISSUE <= set(templates)
    for key, plan in templates.items():
        assert plan["steps"] and all(step["prompt"].strip() for step in plan["steps"]), key
        assert 1 <= plan["timebox_days"] <= 90, key
        assert library.creates_kinds(plan), key


def test_a_good_file_loads(tmp_path):
    assert library.load_directory(write(tmp_path, "tiny.yaml", GOOD))["tiny"]["name"] == "Tiny"


@pytest.mark.parametrize("change,field", [
    (("timebox_days: 3", "timebox_days: 0"), "timebox_days"),
    (("timebox_days: 3", "timebox_days: 91"), "timebox_days"),
    (("    prompt: Just do it.\n", ""), "steps[0].prompt"),
    (("name: Tiny\n", ""), "name"),
    (("      - column: To do", "      - column: Doing"), "creates.board.cards[0].column"),
    (("asks: Five minutes each.", "asks: Five minutes each.\nduration: short"), "duration"),
    (("creates:\n  board:", "creates:\n  boards:"), "creates.boards"),
    (("steps:\n", "steps: [\n"), "line"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_field(tmp_path, change, field):
    write(tmp_path, "tiny.yaml", GOOD.replace(*change))
    with pytest.raises(library.TemplateError) as refused:
        library.load_directory(tmp_path)
    assert refused.value.source == "tiny.yaml"
    assert refused.value.field.startswith(field)
    assert "tiny.yaml" in str(refused.value) and field in str(refused.value)


def test_a_bad_file_stops_start_up(tmp_path):
    write(tmp_path, "broken.yaml", GOOD.replace("timebox_days: 3", "timebox_days: 0"))
    with pytest.raises(library.TemplateError, match=r"broken\.yaml: timebox_days"):
        create_app(app_config("sqlite://", ACTIVITY_TEMPLATES_DIR=str(tmp_path)))
