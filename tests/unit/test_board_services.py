"""Board services: moves, versions, history, joint cards, notices, limits, the event log, bad input."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.boards_world import new_board, person, space
from workspace import events, policy
from workspace.boards import services
from workspace.boards.joint import communities_by_user, is_joint
from workspace.boards.models import BoardEvent
from workspace.errors import Conflict, ValidationError
from workspace.extensions import db
from workspace.notices.models import Notice
from workspace.notices.services import notices_for, unread_count


@pytest.fixture
def world(ctx):
    board, (todo, doing, done) = new_board()
    lee = person("lee")
    cards = [services.create_card(board, column=todo, title=f"Card {i}", actor=lee) for i in range(3)]
    return board, todo, doing, done, cards, lee


def column_titles(board, column):
    return [c.title for c in services.cards_by_column(board)[column.id]]


def test_new_cards_go_to_the_bottom_of_their_column(world):
    board, todo, *_ = world
    assert column_titles(board, todo) == ["Card 0", "Card 1", "Card 2"]


def test_moving_a_card_changes_only_that_card(world):
    board, todo, doing, done, cards, lee = world
    before = {c.id: (c.position, c.version) for c in cards}
    services.move_card(cards[2], to_column=todo, before=cards[0], version=1, actor=lee)
    assert column_titles(board, todo) == ["Card 2", "Card 0", "Card 1"]
    assert {c.id: (c.position, c.version) for c in cards[:2]} == {c.id: before[c.id] for c in cards[:2]}
    assert cards[2].version == 2


def test_moving_after_a_neighbour_in_another_column(world):
    board, todo, doing, done, cards, lee = world
    services.move_card(cards[0], to_column=doing, version=1, actor=lee)
    services.move_card(cards[1], to_column=doing, after=cards[0], version=1, actor=lee)
    services.move_card(cards[2], to_column=doing, after=cards[0], version=1, actor=lee)
    assert column_titles(board, doing) == ["Card 0", "Card 2", "Card 1"]
    assert column_titles(board, todo) == []


def test_stale_move_is_refused_with_the_current_card(world):
    board, todo, doing, done, cards, lee = world
    services.move_card(cards[0], to_column=done, version=1, actor=person("sam"))
    with pytest.raises(Conflict) as refused:
        services.move_card(cards[0], to_column=doing, version=1, actor=lee)
    assert refused.value.extra["current"]["column_id"] == done.id
    assert refused.value.extra["current"]["version"] == 2
    assert cards[0].column_id == done.id


def test_stale_edit_is_refused_and_shows_what_changed(world):
    board, todo, doing, done, cards, lee = world
    sam = person("sam")
    services.update_card(cards[0], version=1, due_on="2027-03-03", actor=sam)
    services.update_card(cards[0], version=2, due_on="2027-03-10", actor=sam)
    with pytest.raises(Conflict) as refused:
        services.update_card(cards[0], version=1, title="My title", actor=lee)
    assert refused.value.extra["current"]["due_on"] == "2027-03-10"
    assert cards[0].title == "Card 0"
    changes = [c.text for c in services.changes_since(cards[0], 1)]
    assert changes == ["due date set to 3 Mar 2027" if date.today().year != 2027 else "due date set to 3 Mar",
                       "due date 3 Mar 2027 → 10 Mar 2027" if date.today().year != 2027 else "due date 3 Mar → 10 Mar"]


def test_history_says_what_changed_and_who_did_it(world):
    board, todo, doing, done, cards, lee = world
    sam = person("sam")
    services.move_card(cards[0], to_column=doing, version=1, actor=lee)
    services.move_card(cards[0], to_column=done, version=2, actor=sam)
    services.update_card(cards[0], version=3, labels=["rota", "urgent"], assignee_ids=[person("jo").id], actor=sam)
    history = [(h.text, h.actor.display_name) for h in services.card_history(cards[0])]
    assert history[:3] == [("added labels rota, urgent; assigned Jo Nakamura", "Sam Okafor"),
                           ("moved from “Doing” to “Done”", "Sam Okafor"),
                           ("moved from “To do” to “Doing”", "Lee Brennan")]
    feed = [a.text for a in services.activity(board)]
    assert feed[0] == history[0][0]


def test_joint_means_assignees_from_two_or_more_communities(world):
    board, todo, doing, done, cards, lee = world
    services.update_card(cards[0], version=1, assignee_ids=[person("sam").id, person("maria").id], actor=lee)
    services.update_card(cards[1], version=1, assignee_ids=[person("sam").id, person("lee").id], actor=lee)
    services.update_card(cards[2], version=1, assignee_ids=[person("priya").id], actor=lee)
    communities_of = communities_by_user(space())
    assert [is_joint(c, communities_of) for c in cards] == [False, True, False]
    assert services.board_summary(board) == {"open": 3, "joint": 1}


def test_only_the_person_assigned_is_notified(world):
    board, todo, doing, done, cards, lee = world
    others = {name: unread_count(person(name)) for name in ("sam", "priya", "jo", "lee")}
    services.update_card(cards[0], version=1, assignee_ids=[person("maria").id, lee.id], actor=lee)
    assert [n.text for n in notices_for(person("maria"))][0].startswith("Lee Brennan assigned you to “Card 0”")
    assert {name: unread_count(person(name)) for name in others} == others


def test_an_assignee_must_be_a_member_of_the_space(world):
    board, todo, doing, done, cards, lee = world
    omar_notices = select(func.count(Notice.id)).where(Notice.user_id == person("omar").id)
    before = db.session.scalar(omar_notices)  # the demo invites Omar to spaces
    with pytest.raises(ValidationError) as refused:
        services.update_card(cards[0], version=1, assignee_ids=[person("omar").id], actor=lee)
    assert refused.value.errors["assignee_ids"] == "Omar Haddad is not a member of this space, so cannot be assigned."
    assert cards[0].assignments == [] and cards[0].version == 1
    assert db.session.scalar(omar_notices) == before


@pytest.mark.parametrize("field,value,message", [
    ("title", "x" * 201, "Title must be at most 200 characters"),
    ("title", "  ", "Title is required."),
    ("description", "x" * 20_001, "Description must be at most 20,000 characters"),
    ("due_on", "10/03/2027", "The due date must be a date such as 2027-03-10."),
    ("due_on", "2027-02-30", "The due date must be a date such as 2027-03-10."),
    ("labels", ["x" * 41], "Each label must be at most 40 characters."),
    ("assignee_ids", ["3"], "Give the assignees as a list of numeric user ids."),
])
def test_bad_card_input_is_refused_and_changes_nothing(world, field, value, message):
    board, todo, doing, done, cards, lee = world
    seq = board.seq
    with pytest.raises(ValidationError) as refused:
        services.update_card(cards[0], version=1, actor=lee, **{field: value})
    assert refused.value.errors[field].startswith(message)
    assert cards[0].version == 1 and board.seq == seq


def test_a_title_of_200_characters_is_fine(world):
    board, todo, *_ = world
    card = services.create_card(board, column=todo, title="é" * 200, actor=world[-1])
    assert len(card.title) == 200


def test_unknown_column_and_card_from_another_board_are_refused(world):
    board, todo, doing, done, cards, lee = world
    other, (other_todo, *_rest) = new_board("Another board")
    stranger = services.create_card(other, column=other_todo, title="Elsewhere", actor=lee)
    with pytest.raises(ValidationError, match="This board has no column 999999"):
        services.column_for(board, 999999)
    with pytest.raises(ValidationError, match="This board has no column"):
        services.column_for(board, other_todo.id)
    with pytest.raises(ValidationError, match=f"Card {stranger.id} is on another board"):
        services.card_for(board, stranger.id, field="after_card_id")
    with pytest.raises(ValidationError, match="is on another board"):
        services.move_card(cards[0], to_column=todo, after=stranger, version=1, actor=lee)
    with pytest.raises(ValidationError, match="Choose a column of this board"):
        services.move_card(cards[0], to_column=other_todo, version=1, actor=lee)
    assert cards[0].version == 1 and cards[0].column_id == todo.id


def test_work_in_progress_limit_warns_but_never_blocks(world):
    board, todo, doing, done, cards, lee = world
    services.update_column(doing, version=1, wip_limit=2, actor=lee)
    for card in cards:
        services.move_card(card, to_column=doing, version=card.version, actor=lee)
    assert column_titles(board, doing) == ["Card 0", "Card 1", "Card 2"]
    assert services.wip_warning(doing) == "“Doing” has 3 cards, over its work-in-progress limit of 2."
    services.update_column(doing, version=2, wip_limit="", actor=lee)
    assert services.wip_warning(doing) is None


def test_columns_can_be_added_renamed_reordered_and_archived(world):
    board, todo, doing, done, cards, lee = world
    review = services.create_column(board, title="Review", actor=lee)
    services.move_column(review, version=1, before=done, actor=lee)
    services.update_column(review, version=2, title="Checked by both", actor=lee)
    assert [c.title for c in services.open_columns(board)] == ["To do", "Doing", "Checked by both", "Done"]
    with pytest.raises(ValidationError, match="still has 3 open card"):
        services.archive_column(todo, actor=lee)
    services.archive_column(review, actor=lee)
    assert [c.title for c in services.open_columns(board)] == ["To do", "Doing", "Done"]
    with pytest.raises(Conflict):
        services.update_column(doing, version=7, title="Busy", actor=lee)


def test_archive_and_restore_a_card(world):
    board, todo, doing, done, cards, lee = world
    services.archive_card(cards[0], actor=lee)
    assert column_titles(board, todo) == ["Card 1", "Card 2"]
    with pytest.raises(ValidationError, match="restore it before"):
        services.update_card(cards[0], version=2, title="Changed", actor=lee)
    services.restore_card(cards[0], actor=lee)
    assert column_titles(board, todo) == ["Card 1", "Card 2", "Card 0"]
    assert [h.text for h in services.card_history(cards[0])][:2] == ["restored the card to “To do”", "archived the card"]


def test_ticking_a_checklist_item_is_an_idempotent_set(world):
    board, todo, doing, done, cards, lee = world
    item = services.add_checklist_item(cards[0], text="Call the duty team", actor=lee)
    seq = board.seq
    services.set_checklist_item(item, done=True, actor=lee)
    services.set_checklist_item(item, done=True, actor=person("sam"))
    assert item.done and board.seq == seq + 1 and cards[0].version == 1


def test_every_change_is_numbered_and_kept_for_catch_up(world):
    board, todo, doing, done, cards, lee = world
    start = board.seq
    services.move_card(cards[0], to_column=doing, version=1, actor=lee)
    services.update_card(cards[1], version=1, title="Renamed", actor=lee)
    services.archive_card(cards[2], actor=lee)
    missed = services.events_since(board, start)
    assert [(e["name"], e["payload"]["seq"]) for e in missed] == [
        ("card_moved", start + 1), ("card_updated", start + 2), ("card_archived", start + 3)]
    assert missed[0]["payload"]["card"]["column_id"] == doing.id
    assert services.events_since(board, board.seq) == []
    rows = db.session.scalar(select(func.count()).select_from(BoardEvent).where(BoardEvent.board_id == board.id))
    assert rows == board.seq


def test_a_client_too_far_behind_gets_none_and_must_take_a_snapshot(world, monkeypatch):
    board, todo, doing, done, cards, lee = world
    monkeypatch.setattr(services, "CATCH_UP_LIMIT", 2)
    assert services.events_since(board, board.seq - 2) is not None
    assert services.events_since(board, board.seq - 3) is None


def test_events_wait_for_the_commit(world):
    board, todo, doing, done, cards, lee = world
    services.move_card(cards[0], to_column=doing, version=1, actor=lee)
    queued = [e for e in events.pending() if not callable(e)]
    assert [e.name for e in queued][-1] == "card_moved" and queued[-1].room == f"board:{board.id}"
    db.session.rollback()
    assert events.pending() == []


def test_filters(world):
    board, todo, doing, done, cards, lee = world
    today = date(2027, 3, 10)  # a Wednesday
    services.update_card(cards[0], version=1, due_on=today - timedelta(days=1), labels=["Urgent"],
                         assignee_ids=[person("sam").id, person("lee").id], actor=lee)
    services.update_card(cards[1], version=1, due_on=today + timedelta(days=4), assignee_ids=[person("priya").id],
                         actor=lee)
    services.update_card(cards[2], version=1, due_on=today + timedelta(days=5), actor=lee)
    communities_of = communities_by_user(space())
    psychiatry = communities_of[person("priya").id][0].id

    def matching(**args):
        filters = services.parse_filters({k: str(v) for k, v in args.items()})
        return [c.title for c in cards if services.card_matches(c, filters, communities_of, today)]

    assert matching(due="overdue") == ["Card 0"]
    assert matching(due="week") == ["Card 1"]  # Sunday 14 March is the end of the week
    assert matching(label="urgent") == ["Card 0"]
    assert matching(joint="1") == ["Card 0"]
    assert matching(assignee=person("priya").id) == ["Card 1"]
    assert matching(community=psychiatry) == ["Card 1"]
    assert matching(due="nonsense") == ["Card 0", "Card 1", "Card 2"]


def test_keys_are_rebalanced_when_they_grow_too_long(world):
    board, todo, doing, done, cards, lee = world
    first, second = cards[0], cards[1]
    for _ in range(400):  # always squeeze into the same gap
        services.move_card(cards[2], to_column=todo, after=first, version=cards[2].version, actor=lee)
        services.move_card(first, to_column=todo, after=cards[2], version=first.version, actor=lee)
    positions = [c.position for c in services.cards_by_column(board)[todo.id]]
    assert max(map(len, positions)) <= 65 and positions == sorted(positions)
    assert second in services.cards_by_column(board)[todo.id]


def test_viewers_watch_and_members_change(ctx):
    crisis = space()
    board = services.boards_in(crisis)[0]
    assert policy.can_view_board(person("admin"), board) and not policy.can_change_board(person("admin"), board)
    assert policy.can_change_board(person("jo"), board)
    assert not policy.can_view_board(person("outsider"), board)
    assert policy.can_view_board(person("omar"), board)  # Psychiatry is convened; Omar has not joined
    assert not policy.can_change_board(person("omar"), board)
    crisis.status = "archived"
    assert not policy.can_change_board(person("jo"), board)


# --- finished cards are never overdue (issue 8, item 8) ---------------------------------------

def test_cards_in_the_last_column_are_finished_when_no_column_is_marked_done(world):
    board, todo, doing, done, cards, lee = world
    today = date(2027, 3, 10)
    for card, column in zip(cards, (todo, doing, done)):
        services.update_card(card, version=1, due_on=today - timedelta(days=3), actor=lee)
        services.move_card(card, to_column=column, version=2, actor=lee)
    done_ids = services.done_column_ids(board)
    assert done_ids == {done.id}
    assert [services.is_overdue(c, today, done_ids) for c in cards] == [True, True, False]
    overdue = services.parse_filters({"due": "overdue"})
    communities_of = communities_by_user(space())
    assert [c.title for c in cards if services.card_matches(c, overdue, communities_of, today, done_ids)] == \
        ["Card 0", "Card 1"]


def test_a_column_marked_done_replaces_the_last_column_and_says_so_in_the_history(world):
    board, todo, doing, done, cards, lee = world
    review = services.create_column(board, title="Cancelled", actor=lee)  # now the last column
    assert services.done_column_ids(board) == {review.id}
    seq = board.seq
    services.update_column(doing, version=1, done=True, actor=lee)
    assert doing.is_done and doing.version == 2
    assert services.done_column_ids(board) == {doing.id}  # marked columns only, not the last one
    services.update_column(review, version=1, done=True, actor=lee)
    assert services.done_column_ids(board) == {doing.id, review.id}
    event = db.session.scalar(select(BoardEvent).where(BoardEvent.board_id == board.id, BoardEvent.seq == seq + 1))
    assert event.name == "column_updated" and event.payload["column"]["done"] is True
    assert "marked “Doing” as a done column" in event.payload["activity"]["text"]
    services.update_column(doing, version=2, done=True, actor=lee)  # no change: no event, no new version
    assert doing.version == 2 and board.seq == seq + 2
    services.update_column(doing, version=2, done=False, actor=lee)
    services.update_column(review, version=2, done=False, actor=lee)
    assert services.done_column_ids(board) == {review.id}
    with pytest.raises(ValidationError, match="finished cards"):
        services.update_column(doing, version=3, done="yes", actor=lee)


def test_an_archived_done_column_hands_over_to_the_last_open_column(world):
    board, todo, doing, done, cards, lee = world
    extra = services.create_column(board, title="Parked", actor=lee)
    services.update_column(extra, version=1, done=True, actor=lee)
    services.archive_column(extra, actor=lee)
    assert services.done_column_ids(board) == {done.id}
