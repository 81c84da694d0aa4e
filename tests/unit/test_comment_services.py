"""Comment services: threads in three places, one level of replies, edits with history, tombstones,
resolution, mentions resolved at write time, comment → card, notices and live events after commit."""
import pytest
from sqlalchemy import select

from tests.boards_world import new_board, person, space
from workspace import events, policy
from workspace.boards import services as boards
from workspace.comments import services
from workspace.comments.models import BODY_MAX, Comment
from workspace.documents.models import Document
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.notices.models import Notice


def notices_of(user):
    """The person's notices from this test on (the demo world left some already)."""
    return list(db.session.scalars(select(Notice).where(Notice.user_id == user.id, Notice.id > _FIRST[0])))


_FIRST = [0]


@pytest.fixture(autouse=True)
def _only_new_notices(ctx):
    _FIRST[0] = db.session.scalar(select(db.func.max(Notice.id))) or 0


@pytest.fixture
def crisis(ctx):
    return space()


@pytest.fixture
def referral(ctx):
    return space("Referral guidelines")


def test_a_space_discussion_thread_with_a_reply(crisis):
    sam, lee = person("sam"), person("lee")
    root = services.create_comment(space=crisis, actor=sam, body="Who covers **nights**?")
    reply = services.reply_to(root, actor=lee, body="We do, until 2am.")
    threads = services.threads_for(crisis)
    assert [t.id for t in threads][-1] == root.id
    assert [r.body for r in threads[-1].replies] == ["We do, until 2am."]
    assert reply.space_id == crisis.id and reply.document_id is None and reply.card_id is None
    assert "<strong>nights</strong>" in services.comment_payload(root)["html"]


def test_card_and_document_comments_stay_out_of_the_space_discussion(crisis):
    board, (todo, *_) = new_board()
    lee = person("lee")
    card = boards.create_card(board, column=todo, title="Night cover", actor=lee)
    document = db.session.scalar(select(Document).where(Document.space_id == crisis.id))
    before = len(services.threads_for(crisis))
    on_card = services.create_comment(space=crisis, actor=lee, body="On the card", card=card)
    on_doc = services.create_comment(space=crisis, actor=lee, body="On the text", document=document,
                                     anchor_start=b"\x01\x02", anchor_end=b"\x03", quote="first hour")
    assert len(services.threads_for(crisis)) == before
    assert [c.id for c in services.threads_for(card)] == [on_card.id]
    assert on_doc.id in [c.id for c in services.threads_for(document)]
    assert services.counts_for_cards([card.id]) == {card.id: 1}
    payload = services.comment_payload(on_doc)
    assert payload["anchor"] == {"start": "AQI=", "end": "Aw==", "quote": "first hour"}


@pytest.mark.parametrize("body, message", [
    ("", "Comment is required."),
    ("   \n\t ", "Comment is required."),
    ("x" * (BODY_MAX + 1), "at most 10,000 characters"),
])
def test_blank_or_oversized_comments_are_refused_and_nothing_is_saved(crisis, body, message):
    before = db.session.query(Comment).count()
    with pytest.raises(ValidationError) as refused:
        services.create_comment(space=crisis, actor=person("sam"), body=body)
    assert message in refused.value.errors["body"]
    assert db.session.query(Comment).count() == before
    assert events.pending() == []


def test_a_reply_to_a_reply_is_refused(crisis):
    root = services.create_comment(space=crisis, actor=person("sam"), body="Root")
    reply = services.reply_to(root, actor=person("lee"), body="Reply")
    with pytest.raises(ValidationError) as refused:
        services.reply_to(reply, actor=person("sam"), body="Reply to reply")
    assert "first comment of a thread" in refused.value.errors["parent_id"]


def test_a_reply_in_another_space_thread_is_refused(crisis, referral):
    root = services.create_comment(space=referral, actor=person("sam"), body="Referral root")
    with pytest.raises(ValidationError) as refused:
        services.reply_to(root, actor=person("sam"), body="Wrong place", space=crisis)
    assert refused.value.errors["parent_id"] == "That thread is in another space."


def test_a_card_of_another_space_is_refused(crisis, referral):
    board, (todo, *_) = new_board()
    card = boards.create_card(board, column=todo, title="Crisis card", actor=person("lee"))
    with pytest.raises(ValidationError) as refused:
        services.create_comment(space=referral, actor=person("sam"), body="Hi", card=card)
    assert refused.value.errors["card_id"] == "That card is in another space."


def test_editing_keeps_the_history(crisis):
    sam = person("sam")
    comment = services.create_comment(space=crisis, actor=sam, body="First words")
    services.edit_comment(comment, actor=sam, body="Second words")
    services.edit_comment(comment, actor=sam, body="Third words")
    assert comment.body == "Third words" and comment.edited_at is not None
    assert [r.body for r in comment.revisions] == ["First words", "Second words"]
    assert services.comment_payload(comment)["revisions"] == 2


def test_deleting_leaves_a_tombstone_that_keeps_the_thread(crisis):
    sam = person("sam")
    root = services.create_comment(space=crisis, actor=sam, body="Secret @[Lee Brennan]")
    services.edit_comment(root, actor=sam, body="Still secret")
    services.reply_to(root, actor=person("lee"), body="Answer")
    services.delete_comment(root, actor=sam)
    assert root.is_deleted and root.body == "" and root.revisions == [] and root.mentions == []
    payload = services.comment_payload(root, replies=True)
    assert payload["deleted"] and payload["html"] == "" and payload["replies"][0]["body"] == "Answer"
    with pytest.raises(ValidationError):
        services.edit_comment(root, actor=sam, body="Back from the dead")


def test_resolving_and_reopening_a_thread_from_a_reply(crisis):
    root = services.create_comment(space=crisis, actor=person("sam"), body="Root")
    reply = services.reply_to(root, actor=person("lee"), body="Reply")
    services.resolve_thread(reply, actor=person("priya"))
    assert root.resolved_at is not None and root.resolved_by.display_name == "Priya Raman"
    with pytest.raises(ValidationError):
        services.resolve_thread(root, actor=person("sam"))
    services.reopen_thread(root, actor=person("sam"))
    assert root.resolved_at is None and root.resolved_by_id is None


def test_mentions_are_resolved_and_notified(crisis):
    sam, lee = person("sam"), person("lee")
    comment = services.create_comment(space=crisis, actor=sam, body="@[lee  brennan] and @[Psychiatry], see this")
    assert [(m.label, m.user_id, m.community_id is not None) for m in comment.mentions] == [
        ("lee brennan", lee.id, False), ("Psychiatry", None, True)]
    html = services.comment_payload(comment)["html"]
    assert f'href="/spaces/{crisis.id}#person-{lee.id}">@Lee Brennan</a>' in html
    assert 'href="/communities/psychiatry">@Psychiatry</a>' in html
    assert any("mentioned you" in n.text for n in notices_of(lee))
    assert any("mentioned you" in n.text for n in notices_of(person("priya")))  # a psychiatrist in the space
    assert not any("mentioned you" in n.text for n in notices_of(person("omar")))  # psychiatrist, not a member
    assert not any("mentioned you" in n.text for n in notices_of(sam))


def test_mentioning_someone_outside_the_space_is_refused_with_the_reason(referral):
    with pytest.raises(ValidationError) as refused:
        services.create_comment(space=referral, actor=person("sam"), body="Ask @[Lee Brennan]")
    assert refused.value.errors["body"] == "Lee Brennan is not in this space."
    with pytest.raises(ValidationError) as refused:
        services.create_comment(space=referral, actor=person("sam"), body="Ask @[Nobody Atall]")
    assert refused.value.errors["body"] == "Nobody called Nobody Atall is in this space."
    with pytest.raises(ValidationError) as refused:
        services.create_comment(space=referral, actor=person("sam"), body="Ask @[Community Policing]")
    assert refused.value.errors["body"] == "Community Policing is not in this space."


def test_replies_notify_the_thread_and_card_comments_the_assignees(crisis):
    board, (todo, *_) = new_board()
    sam, lee, jo = person("sam"), person("lee"), person("jo")
    card = boards.create_card(board, column=todo, title="Rota", assignee_ids=[jo.id], actor=lee)
    root = services.create_comment(space=crisis, actor=sam, body="Thoughts?", card=card)
    assert any("card you are assigned to" in n.text for n in notices_of(jo))
    services.reply_to(root, actor=lee, body="Yes")
    assert any("replied" in n.text for n in notices_of(sam))
    assert not any("replied" in n.text for n in notices_of(lee))


def test_comment_to_card(crisis):
    board, (todo, doing, _) = new_board()
    sam = person("sam")
    comment = services.create_comment(space=crisis, actor=sam, body="# Draft a **rota**\nfor nights")
    card = services.comment_to_card(comment, board=board, column=doing, actor=person("lee"))
    assert card.title == "Draft a **rota**" and card.column_id == doing.id
    assert f"/spaces/{crisis.id}#comment-{comment.id}" in card.description
    assert services.comment_payload(comment)["card"]["column"] == doing.title
    with pytest.raises(ValidationError) as refused:
        services.comment_to_card(comment, board=board, column=doing, actor=sam)
    assert refused.value.errors["comment"] == "This comment is already a card."


def test_events_go_to_every_room_that_shows_the_comment(crisis):
    board, (todo, *_) = new_board()
    card = boards.create_card(board, column=todo, title="Rota", actor=person("lee"))
    events.pending()  # board events queued so far
    services.create_comment(space=crisis, actor=person("sam"), body="Hi", card=card)
    event = events.pending()[-1]
    assert event.name == "comment_created"
    assert event.room == [f"space:{crisis.id}", f"board:{board.id}"]
    assert event.payload["count"] == 1 and event.payload["card_id"] == card.id


def test_policy(crisis, referral):
    sam, lee, outsider = person("sam"), person("lee"), person("outsider")
    comment = services.create_comment(space=crisis, actor=sam, body="Mine")
    assert policy.can_comment(sam, crisis) and not policy.can_comment(outsider, crisis)
    assert policy.can_edit_comment(sam, comment) and not policy.can_edit_comment(lee, comment)
    assert policy.can_delete_comment(sam, comment) and not policy.can_delete_comment(lee, comment)
    assert policy.can_resolve_thread(lee, comment) and not policy.can_resolve_thread(outsider, comment)
    assert policy.can_view_comment(lee, comment) and not policy.can_view_comment(outsider, comment)
    assert not policy.can_comment(lee, referral)


def test_moving_a_card_made_from_a_comment_updates_the_comment_live(crisis):
    board, (todo, doing, done) = new_board()
    comment = services.create_comment(space=crisis, actor=person("sam"), body="Make me a card")
    card = services.comment_to_card(comment, board=board, column=todo, actor=person("sam"))
    boards.move_card(card, to_column=done, version=card.version, actor=person("lee"))
    event = [e for e in events.pending() if e.name == "comment_updated"][-1]
    assert event.payload["change"] == "card_changed" and event.payload["comment"]["card"]["column"] == done.title
    assert f"space:{crisis.id}" in event.room
