"""Threads read lean for pages and the API (workspace/comments/views.py) say exactly what the ORM model
says, and the cached rendering never shows a stale body, a stale name or another reader's marks."""
import pytest

from tests.boards_world import new_board, person, space
from workspace.comments import services, views
from workspace.comments.rendering import body_html, reader_body_html
from workspace.comments.schemas import comment_payload
from workspace.extensions import db
from workspace.glossary import reading


@pytest.fixture
def crisis(ctx):
    return space()


def _thread(crisis, replies=4):
    sam, lee, priya = person("sam"), person("lee"), person("priya")
    root = services.create_comment(space=crisis, actor=sam, body="Who covers *nights*? @[Lee Brennan] @[Social Work]")
    for n in range(replies):
        services.reply_to(root, actor=[lee, priya][n % 2], body=f"Reply {n}")
    return root


def test_lean_threads_give_the_same_json_as_the_model(crisis):
    board, (todo, *_) = new_board()
    root = _thread(crisis)
    services.edit_comment(root.replies[0], actor=person("lee"), body="Reply 0, corrected")
    services.delete_comment(root.replies[1], actor=person("priya"))
    services.resolve_thread(root, actor=person("lee"))
    services.comment_to_card(root, board=board, column=todo, actor=person("sam"))
    db.session.flush()
    model = {t.id: comment_payload(t, replies=True) for t in services.threads_for(crisis)}
    lean = {t.id: comment_payload(t, replies=True) for t in views.thread_views(crisis)}
    assert lean == model
    mine = lean[root.id]
    assert mine["resolved_by"]["display_name"] == "Lee Brennan" and mine["card"]["column"] == todo.title
    assert [r["revisions"] for r in mine["replies"]][:2] == [1, 0] and mine["replies"][1]["deleted"]
    assert {m["label"] for m in mine["mentions"]} == {"Lee Brennan", "Social Work"}


def test_a_page_loads_only_the_replies_it_shows_but_counts_them_all(crisis):
    root = _thread(crisis, replies=5)
    short = _thread(crisis, replies=3)
    threads = {t.id: t for t in views.thread_views(crisis, replies_shown=2)}
    long_replies = threads[root.id].replies
    assert len(long_replies) == 5
    assert [type(r) for r in long_replies] == [views.EarlierReply] * 3 + [views.CommentView] * 2
    assert [r.body for r in long_replies[3:]] == ["Reply 3", "Reply 4"]
    assert [r.body for r in threads[short.id].replies] == ["Reply 0", "Reply 1", "Reply 2"]  # 3 = 2 + 1: all shown


def test_cached_bodies_follow_edits_renames_and_readers(crisis):
    root = _thread(crisis, replies=0)
    lee = person("lee")

    def shown(comment_id, reader):
        view = next(t for t in views.thread_views(crisis) if t.id == comment_id)
        return str(reader_body_html(view, reading.context_for(crisis, reader)))

    first = shown(root.id, person("priya"))
    assert "<em>nights</em>" in first and "@Lee Brennan" in first
    assert shown(root.id, person("priya")) == first  # from the cache, the same
    services.edit_comment(root, actor=person("sam"), body="Who covers *days*? @[Lee Brennan]")
    db.session.flush()
    assert "<em>days</em>" in shown(root.id, person("priya"))
    lee.display_name = "Lee B. Brennan"
    db.session.flush()
    assert "@Lee B. Brennan" in shown(root.id, person("priya"))


def test_glossary_marks_are_the_readers_own_and_fill_their_popovers(crisis):
    body = "Is the patient a case for the duty officer?"
    comment = services.create_comment(space=crisis, actor=person("lee"), body=body)
    db.session.flush()
    view = next(t for t in views.thread_views(crisis) if t.id == comment.id)
    for name in ("sam", "priya", "sam"):  # the second time for Sam comes from the cache
        mine = reading.context_for(crisis, person(name))
        plain = reading.context_for(crisis, person(name))
        expected = str(plain.annotate(body_html(view)))
        assert str(reader_body_html(view, mine)) == expected
        assert mine.used == plain.used
        if name == "sam":
            assert 'class="term"' in expected and mine.used  # Social Work reads "patient" as someone else's term
    assert reading.context_for(crisis, person("sam")).compiled is not reading.context_for(crisis, person("priya")).compiled


def test_a_cached_body_never_outlives_hiding_restoring_or_redaction(crisis):
    """The per-comment cache (h9perf) keys on the comment's state, and forgets the original words on redaction."""
    from workspace.comments import rendering
    from workspace.moderation import services as moderation
    from workspace.moderation.kinds import KINDS
    COMMENT = KINDS["comment"]
    secret = "number 7731-Q"
    comment = services.create_comment(space=crisis, actor=person("lee"), body=f"See {secret} for the history")
    db.session.flush()
    reader = person("priya")

    def shown():
        view = next(t for t in views.thread_views(crisis) if t.id == comment.id)
        return str(reader_body_html(view, reading.context_for(crisis, reader)))

    assert secret in shown() and shown() == shown()
    item = moderation.open_item(COMMENT, comment, space=crisis, actor=person("sam"))
    moderation.hide_item(item, reason="Hidden while we look", actor=person("sam"))
    db.session.flush()
    assert shown() == ""  # hidden: the partial shows the moderator's reason instead
    moderation.restore_item(item, reason="Looked again", actor=person("sam"))
    db.session.flush()
    assert secret in shown()
    moderation.redact_item(item, passage=secret, reason="Identifying client number", actor=person("sam"))
    db.session.flush()
    assert secret not in shown() and "[redacted by a moderator]" in shown()
    cached = repr((rendering._bodies, rendering._annotated, rendering._linked.cache_info().currsize))
    assert secret not in repr(rendering._bodies) and secret not in repr(rendering._annotated), cached
