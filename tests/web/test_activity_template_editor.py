"""A community template edited field by field: rows added, moved and removed without JavaScript, problems beside fields."""
from html.parser import HTMLParser

import pytest

from workspace.accounts import services as accounts
from workspace.activities import services
from workspace.activities.models import CustomTemplate
from workspace.communities import services as communities
from workspace.extensions import db

SAM, OMAR = "sam@socialwork.test", "omar@psychiatry.test"


class _Form(HTMLParser):
    """The editor form as a browser would submit it, every label's target, and each error by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.ids: set[str] = set()
        self.labelled: set[str] = set()
        self.errors: dict[str, str] = {}
        self.edits: list[str] = []
        self._textarea = self._error = None
        self._in_label = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "textarea") and a.get("name") and a.get("type") != "hidden":
            self.ids.add(a.get("id"))
            if self._in_label:  # a checkbox inside its label
                self.labelled.add(a.get("id"))
        if tag == "label":
            self._in_label = True
            if a.get("for"):
                self.labelled.add(a["for"])
        if tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[self._textarea] = ""
        elif tag == "button" and a.get("name") == "edit":
            self.edits.append(a["value"])
        elif tag == "p" and "error" in (a.get("class") or "").split():
            self._error = a.get("id") or ""
            self.errors[self._error] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label = False
        if tag == "textarea":
            self._textarea = None
        if tag == "p":
            self._error = None

    def handle_data(self, data):
        if self._textarea:
            first = not self.fields[self._textarea]  # a browser drops the newline right after <textarea>
            self.fields[self._textarea] += data.removeprefix("\r").removeprefix("\n") if first else data
        if self._error is not None:
            self.errors[self._error] += data


def read(response) -> _Form:
    form = _Form()
    form.feed(response.get_data(as_text=True))
    return form


def steps_on(form: _Form) -> list[str]:
    return [form.fields[f"steps-{i}-title"] for i in range(20) if f"steps-{i}-title" in form.fields]


@pytest.fixture
def editor(app, sign_in_as):
    """Sam (a Social Work steward) with a copy of Referral guidelines open in the editor."""
    with app.app_context():
        custom = services.copy_template(communities.find_community("social-work"), key="referral-guidelines",
                                        actor=accounts.find_user_by_email(SAM))
        db.session.commit()
        template_id = custom.id
    client = sign_in_as(SAM)
    url = f"/activity-templates/custom/{template_id}/edit"

    def saved_plan():
        with app.app_context():
            return db.session.get(CustomTemplate, template_id).plan
    return client, url, saved_plan


def test_the_template_is_shown_as_labelled_fields_and_rows_not_yaml(editor):
    client, url, _ = editor
    page = client.get(url)
    form = read(page)
    assert page.status_code == 200 and "YAML" not in page.get_data(as_text=True)
    assert steps_on(form)[0] == "Collect three recent referrals that went wrong" and len(steps_on(form)) == 5
    assert form.fields["steps-1-prompt"].startswith("Each community lists what it must know")
    assert form.fields["makes_document"] == "y" and form.fields["makes_board"] == "y" and "makes_glossary" not in form.fields
    assert form.fields["sections-0-heading"] == "Who these guidelines are for"
    assert [form.fields[f"columns-{i}-title"] for i in range(3)] == ["To do", "Doing", "Done"]
    assert form.fields["cards-2-title"] == "Book the 45-minute joint meeting"
    assert form.ids and form.ids <= form.labelled, f"fields without a label: {form.ids - form.labelled}"
    assert {"steps:add", "steps:up:1", "steps:down:0", "steps:remove:4", "cards:add", "glossary:add"} <= set(form.edits)
    assert "steps:up:0" not in form.edits and "steps:down:4" not in form.edits


def test_adding_moving_and_removing_steps_changes_the_form_only_until_saved(editor):
    client, url, saved_plan = editor
    before = saved_plan()
    form = read(client.get(url))
    added = client.post(url, data={**form.fields, "edit": "steps:add"})
    form = read(added)
    assert added.status_code == 200 and len(steps_on(form)) == 6 and steps_on(form)[5] == ""
    form.fields.update({"steps-5-title": "Celebrate", "steps-5-prompt": "Tell each other what worked."})
    form = read(client.post(url, data={**form.fields, "edit": "steps:up:5"}))
    assert steps_on(form)[4:] == ["Celebrate", "Agree how you will review it"]
    assert form.fields["steps-4-prompt"] == "Tell each other what worked."
    form = read(client.post(url, data={**form.fields, "edit": "steps:remove:0"}))
    assert steps_on(form)[0] == "Say what you need to receive" and len(steps_on(form)) == 5
    assert saved_plan() == before  # nothing is saved by a row button

    saved = client.post(url, data=form.fields)
    assert saved.status_code == 302
    plan = saved_plan()
    assert [s["title"] for s in plan["steps"]] == ["Say what you need to receive", "Draft the criteria together",
                                                   "Walk one real case through the draft", "Celebrate",
                                                   "Agree how you will review it"]
    assert plan["creates"]["document"] == before["creates"]["document"]
    assert plan["creates"]["board"] == before["creates"]["board"]


def test_what_it_creates_is_edited_in_rows_and_a_started_activity_gets_it(app, editor):
    client, url, saved_plan = editor
    form = read(client.get(url))
    form.fields.pop("makes_document")
    form.fields.update({"makes_glossary": "y", "glossary-0-task": "Each community adds its 10 most-used terms.",
                        "glossary-0-terms": "10", "columns-1-title": "Agreed"})
    form = read(client.post(url, data={**form.fields, "edit": "cards:add"}))
    form.fields.update({"cards-3-column": "Agreed", "cards-3-title": "Sign off the glossary", "shared": "y"})
    assert client.post(url, data=form.fields).status_code == 302
    creates = saved_plan()["creates"]
    assert set(creates) == {"board", "glossary"}
    assert creates["board"]["columns"] == ["To do", "Agreed", "Done"]
    assert creates["board"]["cards"][-1] == {"column": "Agreed", "title": "Sign off the glossary"}
    assert creates["glossary"] == [{"task": "Each community adds its 10 most-used terms.", "terms": 10}]


def test_each_problem_is_shown_beside_its_field_and_nothing_is_saved(editor):
    client, url, saved_plan = editor
    before = saved_plan()
    form = read(client.get(url))
    form.fields.update({"timebox_days": "120", "steps-1-prompt": "   ", "name": "x" * 121,
                        "cards-0-column": "Someday", "sections-2-heading": "", "situation": "Both\x00sides"})
    refused = client.post(url, data=form.fields)
    errors = read(refused).errors
    assert refused.status_code == 422
    assert errors["timebox_days-error"] == "Give the timebox as a whole number of days from 1 to 90."
    assert errors["steps-1-prompt-error"] == "Write something here: it cannot be empty."
    assert errors["name-error"].startswith("Keep it to 120 characters or fewer")
    assert errors["cards-0-column-error"] == "“Someday” is not one of the board's columns."
    assert errors["sections-2-heading-error"] == "Write something here: it cannot be empty."
    assert errors["situation-error"].startswith("This contains a character that cannot be stored")
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert read(refused).fields["steps-1-title"] == "Say what you need to receive"  # what was typed stays
    assert saved_plan() == before


def test_a_template_that_creates_nothing_or_has_no_steps_is_refused(editor):
    client, url, saved_plan = editor
    before = saved_plan()
    form = read(client.get(url))
    for kind in ("makes_document", "makes_board"):
        form.fields.pop(kind)
    for i in range(5):
        form = read(client.post(url, data={**form.fields, "edit": "steps:remove:0"}))
    assert steps_on(form) == []
    refused = client.post(url, data=form.fields)
    errors = read(refused).errors
    assert refused.status_code == 422
    assert errors["creates-error"] == "Choose at least one thing it creates: a document, a board or glossary tasks."
    assert errors["steps-error"] == "Keep at least one step."
    assert saved_plan() == before


def test_a_full_list_says_so_and_a_stale_button_changes_nothing(editor):
    client, url, _ = editor
    form = read(client.get(url))
    for _ in range(15):
        form = read(client.post(url, data={**form.fields, "edit": "steps:add"}))
    assert len(steps_on(form)) == 20
    full = client.post(url, data={**form.fields, "edit": "steps:add"})
    assert read(full).errors["steps-error"] == "A template has at most 20 steps; remove one to add another."
    assert len(steps_on(read(full))) == 20
    stale = client.post(url, data={**form.fields, "edit": "steps:remove:25"})
    assert stale.status_code == 422 and "There is no step 26 any more" in stale.get_data(as_text=True)
    odd = client.post(url, data={**form.fields, "edit": "document:drop"})
    assert odd.status_code == 422 and "That button is not one this form has" in odd.get_data(as_text=True)


def test_only_the_communitys_stewards_open_the_editor(app, editor, sign_in_as):
    _, url, _ = editor
    assert sign_in_as(OMAR).get(url).status_code == 404
