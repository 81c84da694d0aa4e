"""The template library: one YAML file per shipped template, checked against a JSON Schema at start-up.

A template that does not validate must stop the app (and CI) with the file and the field named, so a
typo in a facilitation prompt is found by whoever wrote it, not by a space that starts the activity.
Communities' own templates (CustomTemplate rows) have the same shape and go through the same check.
"""
import os
from pathlib import Path

import jsonschema
import yaml

DIRECTORY = Path(__file__).with_name("templates")
TIMEBOX_MAX_DAYS = 90
KINDS = ("document", "board", "glossary")
KIND_LABELS = {"document": "a joint-response document", "board": "a board", "glossary": "glossary tasks"}
DURATIONS = {"week": ("Up to a week", 1, 7), "month": ("Up to a month", 8, 31),
             "longer": ("Longer than a month", 32, TIMEBOX_MAX_DAYS)}

_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "situation", "asks", "timebox_days", "steps", "creates"],
    "properties": {
        "name": {**_TEXT, "maxLength": 120},
        "situation": {**_TEXT, "maxLength": 2000},
        "asks": {**_TEXT, "maxLength": 500},
        "timebox_days": {"type": "integer", "minimum": 1, "maximum": TIMEBOX_MAX_DAYS},
        "steps": {"type": "array", "minItems": 1, "maxItems": 20, "items": {
            "type": "object", "additionalProperties": False, "required": ["title", "prompt"],
            "properties": {"title": {**_TEXT, "maxLength": 200}, "prompt": {**_TEXT, "maxLength": 2000}}}},
        "creates": {
            "type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {
                "document": {"type": "object", "additionalProperties": False, "required": ["title", "sections"],
                             "properties": {
                                 "title": {**_TEXT, "maxLength": 200},
                                 "sections": {"type": "array", "minItems": 1, "maxItems": 30, "items": {
                                     "type": "object", "additionalProperties": False,
                                     "required": ["heading", "prompt"],
                                     "properties": {"heading": {**_TEXT, "maxLength": 200},
                                                    "prompt": {**_TEXT, "maxLength": 2000}}}}}},
                "board": {"type": "object", "additionalProperties": False, "required": ["title", "columns"],
                          "properties": {
                              "title": {**_TEXT, "maxLength": 200},
                              "goal": {"type": "string", "maxLength": 2000},
                              "columns": {"type": "array", "minItems": 1, "maxItems": 20,
                                          "items": {**_TEXT, "maxLength": 200}},
                              "cards": {"type": "array", "maxItems": 50, "items": {
                                  "type": "object", "additionalProperties": False, "required": ["column", "title"],
                                  "properties": {"column": {**_TEXT, "maxLength": 200},
                                                 "title": {**_TEXT, "maxLength": 200}}}}}},
                "glossary": {"type": "array", "minItems": 1, "maxItems": 10, "items": {
                    "type": "object", "additionalProperties": False, "required": ["task", "terms"],
                    "properties": {"task": {**_TEXT, "maxLength": 500},
                                   "terms": {"type": "integer", "minimum": 1, "maximum": 200}}}},
            }},
    },
}
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class TemplateError(Exception):
    """A template that does not fit the schema; `field` is where (e.g. `steps[2].prompt`)."""

    def __init__(self, source: str, field: str, message: str):
        super().__init__(f"Activity template {source}: {field}: {message}")
        self.source, self.field, self.message = source, field, message


def _field(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the whole template)"


def check_plan(plan, source: str = "template") -> dict:
    """Return the plan when it fits the schema (and its cards name its columns), else raise TemplateError."""
    problems = plan_problems(plan)
    if problems:
        field, message = next(iter(problems.items()))
        raise TemplateError(source, field, message)
    return plan


def plan_problems(plan) -> dict[str, str]:
    """Every field's problem, first per field, in the schema's order: a form shows them all at once."""
    problems: dict[str, str] = {}
    errors = sorted(_VALIDATOR.iter_errors(plan), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for error in errors:
        field = _field(error.absolute_path)
        if error.validator == "required":
            missing = next((name for name in error.validator_value if name not in error.instance), "")
            problems.setdefault(f"{field}.{missing}" if error.absolute_path else missing, "is required.")
        elif error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            unknown = sorted(set(error.instance) - set(allowed))[0]
            problems.setdefault(f"{field}.{unknown}" if error.absolute_path else unknown,
                                f"is not a field templates have (expected one of: {', '.join(allowed)}).")
        else:
            problems.setdefault(field, _message(error))
    _text_problems(plan, (), problems)
    board = plan.get("creates", {}).get("board") if isinstance(plan, dict) and isinstance(plan.get("creates"), dict) else None
    if isinstance(board, dict) and isinstance(board.get("columns"), list) and isinstance(board.get("cards", []), list):
        for i, card in enumerate(board.get("cards", [])):  # shown with the schema's problems, not after them
            column = card.get("column") if isinstance(card, dict) else None
            if isinstance(column, str) and column.strip() and column not in board["columns"]:
                problems.setdefault(f"creates.board.cards[{i}].column",
                                    f"“{column}” is not one of the board's columns.")
    return problems


_ITEMS = {"steps": "step", "sections": "section", "columns": "column", "cards": "starter card",
          "glossary": "glossary task"}


def _message(error) -> str:
    """Say what to do in words a steward reads beside the field, not in JSON Schema's terms."""
    check, limit = error.validator, error.validator_value
    last = next((part for part in reversed(error.absolute_path) if isinstance(part, str)), "")
    if last == "timebox_days":
        return f"Give the timebox as a whole number of days from 1 to {TIMEBOX_MAX_DAYS}."
    if last == "terms" and check in ("type", "minimum", "maximum"):
        return "Give the number of terms as a whole number from 1 to 200."
    if check in ("minLength", "pattern"):
        return "Write something here: it cannot be empty."
    if check == "maxLength":
        return f"Keep it to {limit:,} characters or fewer (it has {len(error.instance):,})."
    if check in ("minItems", "maxItems"):
        item = _ITEMS.get(last, "item")
        return f"Keep at least one {item}." if check == "minItems" else f"Keep it to {limit} {item}s or fewer."
    if check == "minProperties":
        return "Choose at least one thing it creates: a document, a board or glossary tasks."
    if check == "type":
        return {"string": "Write text here.", "integer": "Give a whole number."}.get(limit, f"must be {limit}.")
    return error.message


def _text_problems(value, path: tuple, problems: dict) -> None:
    """Text the database cannot store (NUL, a lone surrogate from JSON) is refused here, not by a 500."""
    if isinstance(value, dict):
        for key, item in value.items():
            _text_problems(item, path + (key,), problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _text_problems(item, path + (i,), problems)
    elif isinstance(value, str) and ("\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)):
        problems.setdefault(_field(path), "This contains a character that cannot be stored (NUL or a broken character).")


def load_file(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            plan = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(the file)"
        raise TemplateError(path.name, where, f"is not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    return check_plan(plan, path.name)


def load_directory(directory: Path | str = DIRECTORY) -> dict[str, dict]:
    """Every template file in `directory`, keyed by its file name without `.yaml`, in name order."""
    directory = Path(directory)
    out = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith((".yaml", ".yml")):
            out[name.rsplit(".", 1)[0]] = load_file(directory / name)
    return out


def creates_kinds(plan: dict) -> list[str]:
    return [kind for kind in KINDS if kind in plan["creates"]]


def duration_of(plan: dict) -> str:
    days = plan["timebox_days"]
    return next(key for key, (_label, low, high) in DURATIONS.items() if low <= days <= high)


def register(app) -> None:
    """Load and check the shipped templates once; a bad file stops start-up here."""
    app.extensions["activity_templates"] = load_directory(app.config.get("ACTIVITY_TEMPLATES_DIR") or DIRECTORY)


def shipped() -> dict[str, dict]:
    from flask import current_app
    return current_app.extensions["activity_templates"]
