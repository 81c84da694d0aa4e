"""A community template in its form: plan to rows and back, row edits, each problem beside its field.

The form edits the same plan the shipped YAML files hold and is checked by the same schema
(`library.plan_problems`); a problem's path (`steps[1].prompt`) names the field it is shown beside.
Adding, removing and moving rows are submit buttons (`name="edit"`), so they work without JavaScript;
they change only the form on the page, never the saved template.
"""
import re

from workspace.errors import ValidationError

# each list of rows: the blank row "add" appends, and the most rows the schema allows
ROWS = {
    "steps": ({"title": "", "prompt": ""}, 20, "step"),
    "sections": ({"heading": "", "prompt": ""}, 30, "section"),
    "columns": ({"title": ""}, 20, "column"),
    "cards": ({"column": "", "title": ""}, 50, "starter card"),
    "glossary": ({"task": "", "terms": ""}, 10, "glossary task"),
}
EDIT_RE = re.compile(r"^(?P<rows>[a-z]+):(?:(?P<add>add)|(?P<verb>remove|up|down):(?P<index>\d{1,3}))$")
STARTER_COLUMNS = ["To do", "Doing", "Done"]


def form_data(plan: dict, shared: bool) -> dict:
    """The form's fields for a plan; kinds it does not create get a blank row to start from."""
    creates = plan["creates"]
    document, board = creates.get("document") or {}, creates.get("board") or {}
    return {
        "name": plan["name"], "situation": plan["situation"], "asks": plan["asks"],
        "timebox_days": str(plan["timebox_days"]),
        "steps": [{"title": s["title"], "prompt": s["prompt"]} for s in plan["steps"]],
        "makes_document": "document" in creates, "document_title": document.get("title", ""),
        "sections": [dict(s) for s in document.get("sections", [])] or [dict(ROWS["sections"][0])],
        "makes_board": "board" in creates, "board_title": board.get("title", ""), "board_goal": board.get("goal", ""),
        "columns": [{"title": c} for c in board.get("columns", STARTER_COLUMNS)],
        "cards": [dict(c) for c in board.get("cards", [])],
        "makes_glossary": "glossary" in creates,
        "glossary": [{"task": t["task"], "terms": str(t["terms"])} for t in creates.get("glossary", [])]
        or [dict(ROWS["glossary"][0])],
        "shared": bool(shared),
    }


def _text(value) -> str:
    return (value or "").replace("\r\n", "\n").strip() if isinstance(value, str) else ""


def _whole(value):
    """A whole number stays one; anything else is passed on as text so the schema names the field."""
    value = _text(value)
    return int(value) if value.isdigit() and len(value) < 10 else value


def plan_from(data: dict) -> dict:
    """The plan the form describes, its lists in the rows' order so problem paths point at rows."""
    plan = {"name": _text(data["name"]), "situation": _text(data["situation"]), "asks": _text(data["asks"]),
            "timebox_days": _whole(data["timebox_days"]),
            "steps": [{"title": _text(r["title"]), "prompt": _text(r["prompt"])} for r in data["steps"]],
            "creates": {}}
    creates = plan["creates"]
    if data["makes_document"]:
        creates["document"] = {"title": _text(data["document_title"]),
                               "sections": [{"heading": _text(r["heading"]), "prompt": _text(r["prompt"])}
                                            for r in data["sections"]]}
    if data["makes_board"]:
        board = creates["board"] = {"title": _text(data["board_title"]),
                                    "columns": [_text(r["title"]) for r in data["columns"]]}
        if _text(data["board_goal"]):
            board["goal"] = _text(data["board_goal"])
        if data["cards"]:
            board["cards"] = [{"column": _text(r["column"]), "title": _text(r["title"])} for r in data["cards"]]
    if data["makes_glossary"]:
        creates["glossary"] = [{"task": _text(r["task"]), "terms": _whole(r["terms"])} for r in data["glossary"]]
    return plan


def apply_edit(data: dict, edit: str) -> tuple[dict, dict[str, str]]:
    """Add, remove or move one row; return the form's data and any message for a list (e.g. it is full)."""
    match = EDIT_RE.match(edit or "")
    if not match or match["rows"] not in ROWS:
        raise ValidationError({"form": "That button is not one this form has; reload the page and try again."})
    name = match["rows"]
    rows, (blank, most, noun) = list(data[name]), ROWS[name]
    data = {**data, name: rows}
    if match["add"]:
        if len(rows) >= most:
            return data, {name: f"A template has at most {most} {noun}s; remove one to add another."}
        rows.append(dict(blank))
        return data, {}
    index = int(match["index"])
    if index >= len(rows):
        raise ValidationError({"form": f"There is no {noun} {index + 1} any more; nothing was changed."})
    if match["verb"] == "remove":
        rows.pop(index)
    else:
        other = index - 1 if match["verb"] == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    return data, {}


_SINGLE = {("name",): "name", ("situation",): "situation", ("asks",): "asks", ("timebox_days",): "timebox_days",
           ("creates", "document", "title"): "document_title", ("creates", "board", "title"): "board_title",
           ("creates", "board", "goal"): "board_goal"}
_LISTS = {("steps",): "steps", ("creates", "document", "sections"): "sections", ("creates", "board", "columns"): "columns",
          ("creates", "board", "cards"): "cards", ("creates", "glossary"): "glossary"}
_GROUPS = {("creates",): "creates", ("creates", "document"): "document", ("creates", "board"): "board"}


def show_errors(form, problems: dict[str, str]) -> dict[str, str]:
    """Put each problem beside its field; return those about a whole list or section, keyed by its name."""
    groups: dict[str, str] = {}
    for path, message in problems.items():
        parts = tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path))
        field = _field_at(form, parts)
        if field is not None:
            field.errors = list(field.errors or []) + [message]
            continue
        key = _LISTS.get(parts[:-1]) or _LISTS.get(parts) or _GROUPS.get(parts) or "form"
        groups[key] = f"{groups[key]} {message}" if key in groups else message
    return groups


def _field_at(form, parts: tuple):
    if parts in _SINGLE:
        return form[_SINGLE[parts]]
    for prefix, name in _LISTS.items():
        rest = parts[len(prefix):]
        if parts[:len(prefix)] != prefix or not rest or not isinstance(rest[0], int):
            continue
        if rest[0] >= len(form[name].entries):
            return None
        row = form[name].entries[rest[0]]
        key = rest[1] if len(rest) > 1 else ("title" if name == "columns" else None)
        return row[key] if key in row.form._fields else None
    return None
