"""Boards over HTTP: the board and card pages, forms, the API, conflicts and the demo board."""
import json
import re

import pytest

from tests.boards_world import person
from tests.conftest import csrf_from, post_form
from workspace.accounts import services as accounts
from workspace.boards import services
from workspace.boards.demo import REFERRAL_TITLE, TITLE, find_board
from workspace.boards.models import Card
from workspace.extensions import db


@pytest.fixture
def demo(app):
    with app.app_context():
        board = find_board(TITLE)
        columns = {c.title: c.id for c in services.open_columns(board)}
        cards = {c.title: c.id for c in services.open_cards(board)}
        return {"board": board.id, "space": board.space_id, "columns": columns, "cards": cards}


def api(app, email):
    with app.app_context():
        _, secret = accounts.create_api_token(accounts.find_user_by_email(email), name="test")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def card_id(demo, prefix):
    return next(v for k, v in demo["cards"].items() if k.startswith(prefix))


def test_demo_board_has_columns_and_a_dozen_cards_some_joint(app, demo):
    with app.app_context():
        board = find_board(TITLE)
        summary = services.board_summary(board)
    assert list(demo["columns"]) == ["Ideas", "To do", "Doing", "Done"]
    assert summary["open"] == 12 and 3 <= summary["joint"] < 12


def test_space_page_lists_boards_with_their_joint_count(sign_in_as, demo):
    html = sign_in_as("jo@policing.test").get(f"/spaces/{demo['space']}").get_data(as_text=True)
    assert TITLE in html and re.search(r"12 open cards,\s*<span class=\"joint-count\">\d+ joint</span>", html)
    assert "Start a board" in html


def test_board_page_shows_cards_with_assignees_communities_and_joint_badges(sign_in_as, demo):
    html = sign_in_as("maria@socialwork.test").get(f"/boards/{demo['board']}").get_data(as_text=True)
    assert len(re.findall(r'<li class="board-card[ "]', html)) == 12
    assert "Lee Brennan <span class=\"muted\">(Community Policing)</span>" in html
    assert '<span class="joint-badge">Joint</span>' in html
    assert "Keyboard: focus a card and press Enter to open it, or Space to pick it up" in html
    assert f'data-seq="' in html and 'id="board-announcer"' in html


def test_watchers_see_no_controls(sign_in_as, demo):
    html = sign_in_as("omar@psychiatry.test").get(f"/boards/{demo['board']}").get_data(as_text=True)
    assert "You are watching this board" in html
    assert "Add card" not in html and 'draggable="true"' not in html


def test_filter_by_query_hides_other_cards(sign_in_as, demo):
    html = sign_in_as("sam@socialwork.test").get(f"/boards/{demo['board']}?joint=1").get_data(as_text=True)
    hidden = len(re.findall(r'data-joint="false" hidden', html))
    shown = len(re.findall(r'data-joint="true"(?! hidden)', html))
    assert hidden and shown and hidden + shown == 12


def test_member_adds_a_card_through_the_form(app, sign_in_as, demo):
    client = sign_in_as("jo@policing.test")
    page = f"/boards/{demo['board']}"
    response = post_form(client, f"/boards/{demo['board']}/cards",
                         {"column_id": demo["columns"]["Ideas"], "title": "Ride-along for trainees"}, page=page)
    assert response.status_code == 302
    assert "Ride-along for trainees" in client.get(page).get_data(as_text=True)


def test_form_refuses_a_card_without_a_title_beside_the_field(sign_in_as, demo):
    client = sign_in_as("jo@policing.test")
    page = f"/boards/{demo['board']}"
    response = post_form(client, f"/boards/{demo['board']}/cards", {"column_id": demo["columns"]["Ideas"], "title": ""},
                         page=page)
    assert response.status_code == 422 and "Title is required." in response.get_data(as_text=True)


def test_card_page_has_its_own_url_with_history(sign_in_as, demo):
    cid = card_id(demo, "Draft the rota")
    html = sign_in_as("maria@socialwork.test").get(f"/cards/{cid}").get_data(as_text=True)
    assert "Draft the rota for the first four weekends" in html and "History" in html
    assert "created the card in “Doing”" in html and '<span class="joint-badge">Joint</span>' in html


def test_stale_form_edit_shows_what_changed_and_keeps_the_edit(app, sign_in_as, demo):
    cid = card_id(demo, "Book a room")
    jo, sam = sign_in_as("jo@policing.test"), sign_in_as("sam@socialwork.test")
    page = jo.get(f"/cards/{cid}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"|id="version" name="version" type="hidden" value="(\d+)"',
                        page)
    base = int(next(g for g in version.groups() if g))
    assert post_form(sam, f"/cards/{cid}", {"version": base, "title": "Book a room for the joint training day",
                                             "due_on": "2027-03-10", "labels": "training"},
                     page=f"/cards/{cid}").status_code == 302
    response = jo.post(f"/cards/{cid}", data={"csrf_token": csrf_from(page), "version": base,
                                              "title": "Book the big room", "labels": "training"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone changed this card while you were editing it" in html
    assert "by Sam Okafor" in html and "due date" in html
    assert 'value="Book the big room"' in html  # the edit is kept for re-applying
    again = jo.post(f"/cards/{cid}", data={"csrf_token": csrf_from(html), "version": base + 1,
                                           "title": "Book the big room", "due_on": "2027-03-10", "labels": "training"})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Card, cid).title == "Book the big room"


def test_viewer_cannot_change_anything_by_form(sign_in_as, demo):
    omar = sign_in_as("omar@psychiatry.test")
    cid = card_id(demo, "Book a room")
    page = f"/boards/{demo['board']}"
    assert post_form(omar, f"/cards/{cid}/archive", page=page).status_code == 403
    assert post_form(omar, f"/boards/{demo['board']}/cards", {"column_id": demo["columns"]["Ideas"], "title": "x"},
                     page=page).status_code == 403


# --- API ------------------------------------------------------------------------------------

def test_api_board_lists_columns_and_cards_with_versions(app, demo):
    body = api(app, "maria@socialwork.test").get(f"/api/v1/boards/{demo['board']}").json
    assert [c["title"] for c in body["columns"]] == ["Ideas", "To do", "Doing", "Done"]
    assert all("id" in c and "version" in c for c in body["columns"])
    cards = [card for column in body["columns"] for card in column["cards"]]
    assert len(cards) == 12 and all({"id", "version", "position", "is_joint"} <= set(c) for c in cards)
    assert body["joint_open_cards"] == sum(c["is_joint"] for c in cards)


def test_api_creates_boards_and_lists_them(app, demo):
    jo = api(app, "jo@policing.test")
    created = jo.post(f"/api/v1/spaces/{demo['space']}/boards", json={"title": "Debrief", "columns": ["Now", "Later"]})
    assert created.status_code == 201 and [c["title"] for c in created.json["columns"]] == ["Now", "Later"]
    listed = jo.get(f"/api/v1/spaces/{demo['space']}/boards").json["items"]
    assert {"Debrief", TITLE} <= {b["title"] for b in listed}


def test_api_card_lifecycle_with_versions(app, demo):
    jo = api(app, "jo@policing.test")
    ideas, doing = demo["columns"]["Ideas"], demo["columns"]["Doing"]
    created = jo.post(f"/api/v1/boards/{demo['board']}/cards", json={
        "column_id": ideas, "title": "Night-shift handover", "assignee_ids": [person_id(app, "maria")],
        "due_on": "2027-03-03", "labels": ["paperwork"]})
    assert created.status_code == 201, created.json
    card = created.json
    assert card["version"] == 1 and card["assignees"][0]["communities"][0]["name"] == "Social Work"
    patched = jo.patch(f"/api/v1/cards/{card['id']}", json={"version": 1, "due_on": "2027-03-10"})
    assert patched.status_code == 200 and patched.json["version"] == 2
    stale = jo.patch(f"/api/v1/cards/{card['id']}", json={"version": 1, "title": "Overwrite?"})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert stale.json["current"]["due_on"] == "2027-03-10" and stale.json["current"]["title"] == "Night-shift handover"
    first = card_id(demo, "Draft the rota")
    moved = jo.post(f"/api/v1/cards/{card['id']}/move", json={"column_id": doing, "before_card_id": first, "version": 2})
    assert moved.status_code == 200, moved.json
    assert moved.json["warnings"] == ["“Doing” has 4 cards, over its work-in-progress limit of 3."]
    order = [c["id"] for c in next(c for c in jo.get(f"/api/v1/boards/{demo['board']}").json["columns"]
                                   if c["id"] == doing)["cards"]]
    assert order.index(card["id"]) == order.index(first) - 1
    archived = jo.post(f"/api/v1/cards/{card['id']}/archive", json={"version": 3})
    assert archived.status_code == 200 and archived.json["archived"] is True


def person_id(app, name):
    with app.app_context():
        return person(name).id


@pytest.mark.parametrize("payload,field,message", [
    ({"column_id": 999999, "title": "x"}, "column_id", "This board has no column 999999."),
    ({"column_id": "ideas", "title": "x"}, "column_id", "Choose a column"),
    ({"title": "x" * 201}, "title", "Title must be at most 200 characters"),
    ({"description": "x" * 20_001}, "description", "Description must be at most 20,000 characters"),
    ({"due_on": "next Tuesday"}, "due_on", "The due date must be a date such as 2027-03-10."),
    ({"assignee_ids": ["omar"]}, "assignee_ids", "Give the assignees as a list of numeric user ids."),
])
def test_api_refuses_bad_card_input_and_changes_nothing(app, demo, payload, field, message):
    body = {"column_id": demo["columns"]["Ideas"], "title": "Fine", **payload}
    response = api(app, "jo@policing.test").post(f"/api/v1/boards/{demo['board']}/cards", json=body)
    assert response.status_code == 422 and response.json["errors"][field].startswith(message)
    with app.app_context():
        assert services.board_summary(find_board(TITLE))["open"] == 12


def test_api_refuses_an_assignee_from_outside_the_space(app, demo):
    response = api(app, "jo@policing.test").post(f"/api/v1/boards/{demo['board']}/cards", json={
        "column_id": demo["columns"]["Ideas"], "title": "x", "assignee_ids": [person_id(app, "omar")]})
    assert response.status_code == 422
    assert response.json["errors"]["assignee_ids"] == "Omar Haddad is not a member of this space, so cannot be assigned."


def test_api_refuses_a_neighbour_from_another_board(app, demo):
    with app.app_context():
        foreign = services.open_cards(find_board(REFERRAL_TITLE))[0].id
    cid = card_id(demo, "Book a room")
    response = api(app, "jo@policing.test").post(f"/api/v1/cards/{cid}/move", json={
        "column_id": demo["columns"]["Doing"], "after_card_id": foreign, "version": 1})
    assert response.status_code == 422
    assert response.json["errors"]["after_card_id"] == f"Card {foreign} is on another board."


def test_api_move_without_a_version_is_refused(app, demo):
    cid = card_id(demo, "Book a room")
    response = api(app, "jo@policing.test").post(f"/api/v1/cards/{cid}/move", json={"column_id": demo["columns"]["Done"]})
    assert response.status_code == 422 and "version" in response.json["errors"]


def test_viewer_cannot_change_anything_by_api(app, demo):
    omar = api(app, "omar@psychiatry.test")
    cid = card_id(demo, "Book a room")
    assert omar.get(f"/api/v1/boards/{demo['board']}").status_code == 200
    assert omar.patch(f"/api/v1/cards/{cid}", json={"version": 1, "title": "Mine"}).status_code == 403
    assert omar.post(f"/api/v1/cards/{cid}/move", json={"column_id": demo["columns"]["Done"], "version": 1}).status_code == 403
    assert api(app, "outsider@convene.test").get(f"/api/v1/boards/{demo['board']}").status_code == 404


def test_assignment_notice_reaches_only_the_assignee(app, demo, sign_in_as):
    jo = api(app, "jo@policing.test")
    cid = card_id(demo, "Book a room")
    version = jo.get(f"/api/v1/cards/{cid}").json["version"]
    jo.patch(f"/api/v1/cards/{cid}", json={"version": version, "assignee_ids": [person_id(app, "jo"), person_id(app, "priya")]})
    priya = sign_in_as("priya@psychiatry.test")
    assert "Jo Nakamura assigned you to “Book a room for the joint training day”" in priya.get("/notices").get_data(as_text=True)
    assert re.search(r'Notices <span class="count">\d+', priya.get("/").get_data(as_text=True))
    assert "assigned you to “Book a room" not in sign_in_as("sam@socialwork.test").get("/notices").get_data(as_text=True)
    post_form(priya, "/notices/read", page="/notices")
    assert 'Notices <span class="count">' not in priya.get("/").get_data(as_text=True)


def test_archived_space_board_is_read_only(app, demo):
    with app.app_context():
        find_board(TITLE).space.status = "archived"
        db.session.commit()
    cid = card_id(demo, "Book a room")
    assert api(app, "lee@policing.test").patch(f"/api/v1/cards/{cid}", json={"version": 1, "title": "x"}).status_code == 403


# --- issue 8: first use ------------------------------------------------------------------------

def test_adding_a_card_without_javascript_comes_back_to_the_same_columns_field(sign_in_as, demo):
    client = sign_in_as("jo@policing.test")
    ideas = demo["columns"]["Ideas"]
    response = post_form(client, f"/boards/{demo['board']}/cards", {"column_id": ideas, "title": "Debrief"},
                         page=f"/boards/{demo['board']}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#new-card-{ideas}")


def test_empty_card_title_is_refused_beside_that_columns_field_keeping_focus_there(sign_in_as, demo):
    client = sign_in_as("jo@policing.test")
    ideas = demo["columns"]["Ideas"]
    html = post_form(client, f"/boards/{demo['board']}/cards", {"column_id": ideas, "title": "  "},
                     page=f"/boards/{demo['board']}").get_data(as_text=True)
    assert f'<p class="error" id="new-card-{ideas}-error" role="alert">Title is required.</p>' in html
    assert f'aria-describedby="new-card-{ideas}-error" autofocus' in html
    assert html.count('role="alert" hidden') == len(demo["columns"]) - 1  # the other columns' fields are calm


def tile(html, cid):
    return next(part for part in html.split('<li class="board-card') if f'id="card-{cid}"' in part)


def test_the_last_column_is_done_by_default_and_a_steward_can_mark_another(app, sign_in_as, demo):
    done, doing = demo["columns"]["Done"], demo["columns"]["Doing"]
    client = sign_in_as("sam@socialwork.test")
    html = client.get(f"/boards/{demo['board']}").get_data(as_text=True)
    finished = tile(html, card_id(demo, "Agree the pilot"))
    assert "Due <time" in finished and "(overdue)" not in finished and "due--overdue" not in finished
    late = tile(html, card_id(demo, "Check insurance"))
    assert "due--overdue" in late and "(overdue)" in late
    with app.app_context():
        version = db.session.get(services.BoardColumn, doing).version
    response = post_form(client, f"/columns/{doing}", {"version": version, "title": "Doing", "wip_limit": "3",
                                                       "done": "y"}, page=f"/boards/{demo['board']}")
    assert response.status_code == 302
    with app.app_context():
        assert services.done_column_ids(find_board(TITLE)) == {doing}
    html = client.get(f"/boards/{demo['board']}?due=overdue").get_data(as_text=True)
    finished = re.search(rf'id="card-{card_id(demo, "Agree the pilot")}"[^>]*>', html).group(0)
    assert " hidden" not in finished  # "Done" is no longer the done column: its late cards are overdue again


def test_card_fragments_answer_the_live_parts_and_the_state_for_the_edit_form(sign_in_as, demo):
    cid = card_id(demo, "Draft the rota")
    response = sign_in_as("omar@psychiatry.test").get(f"/cards/{cid}/fragments")  # a watcher may read them
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("heading", "status", "people", "checklist", "history"):
        assert f'data-card-fragment="{name}"' in html
    card = json.loads(re.search(r'<script type="application/json" data-card-state>(.*?)</script>', html, re.S).group(1))
    assert card["id"] == cid and card["title"].startswith("Draft the rota") and "description" in card
    assert 'type="submit"' not in html  # a watcher gets no checklist buttons


def test_api_marks_a_column_done_based_on_its_version(app, demo):
    lee = api(app, "lee@policing.test")
    doing = demo["columns"]["Doing"]
    with app.app_context():
        version = db.session.get(services.BoardColumn, doing).version
    response = lee.patch(f"/api/v1/columns/{doing}", json={"version": version, "done": True})
    assert response.status_code == 200 and response.json["done"] is True and response.json["version"] == version + 1
    stale = lee.patch(f"/api/v1/columns/{doing}", json={"version": version, "title": "Busy"})
    assert stale.status_code == 409 and stale.json["current"]["title"] == "Doing"
    bad = lee.patch(f"/api/v1/columns/{doing}", json={"version": version + 1, "done": "yes"})
    assert bad.status_code == 422 and "done" in bad.json["errors"]
    watcher = api(app, "omar@psychiatry.test").patch(f"/api/v1/columns/{doing}",
                                                     json={"version": version + 1, "done": False})
    assert watcher.status_code == 403
    board = lee.get(f"/api/v1/boards/{demo['board']}").json
    assert [c["done"] for c in board["columns"]] == [False, False, True, False]
