"""Comments on passages of a joint response: anchored, kept beside their words, refused when bad."""
import base64

import pytest
from sqlalchemy import func, select

from workspace.accounts import services as accounts
from workspace.accounts.services import find_user_by_email
from workspace.comments import on_documents
from workspace.comments.models import Comment
from workspace.documents import services
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.spaces.models import Space

TEXT = "Le café est fermé 😀. The patient is seen within the hour. A case is opened by the duty officer."


@pytest.fixture
def crisis(ctx):
    return db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))


@pytest.fixture
def lee(ctx):
    return find_user_by_email("lee@policing.test")


@pytest.fixture
def sam(ctx):
    return find_user_by_email("sam@socialwork.test")


@pytest.fixture
def document(crisis, lee):
    return services.create_document(crisis, title="Crisis first hour", text=TEXT, actor=lee)


def anchors(document, words: str) -> tuple[str, str]:
    """What the editor sends for a selection of `words`: base64 Yjs relative positions."""
    with on_documents.document_positions(document) as positions:
        at = positions.string.index(words)
        start, end = positions.anchors_for(at, at + len(words))
    return start.b64(), end.b64()


def comment(document, actor, words, body="Which words?"):
    start, end = anchors(document, words)
    return on_documents.comment_on_document(document, actor=actor, body=body, anchor_start_b64=start,
                                            anchor_end_b64=end, quote=words)


def passage_of(document, comment_id):
    placed = next(p for p in on_documents.placed_threads(document) if p.thread.id == comment_id)
    return placed.passage


def test_a_comment_follows_its_words_as_the_text_changes(document, lee, sam):
    c = comment(document, lee, "the patient is seen".capitalize())
    services._store_edit(document, "Ajouté: naïve 数据. " + TEXT.replace("within the hour", "within 60 minutes"), actor=sam)
    passage = passage_of(document, c.id)
    text = services.current_text(document)
    assert text[passage.start:passage.end] == passage.text == "The patient is seen"
    assert not passage.removed


def test_a_passage_read_again_after_an_edit_is_where_its_words_are_now(document, lee, sam):
    """Passages are reused while the document is unchanged (h9perf), never after an edit or a deletion."""
    c = comment(document, lee, "within the hour")
    before = passage_of(document, c.id)
    assert passage_of(document, c.id) == before and before.text == "within the hour"
    services._store_edit(document, "Inserted first. " + TEXT, actor=sam)
    moved = passage_of(document, c.id)
    assert moved.start == before.start + len("Inserted first. ") and moved.text == "within the hour"
    services._store_edit(document, "Inserted first. " + TEXT.replace(" within the hour", ""), actor=sam)
    assert passage_of(document, c.id).removed


def test_when_its_words_are_deleted_the_comment_stays_marked_removed_with_its_quote(document, lee, sam):
    c = comment(document, lee, "A case is opened")
    services._store_edit(document, TEXT.replace("A case is opened by the duty officer.", "Nothing else."), actor=sam)
    passage = passage_of(document, c.id)
    assert passage.removed and passage.text == ""
    assert db.session.get(Comment, c.id).quote == "A case is opened"


def test_threads_are_listed_in_the_order_of_their_words(document, lee, sam):
    later = comment(document, lee, "duty officer")
    earlier = comment(document, sam, "café")
    middle = comment(document, sam, "within the hour")
    placed = on_documents.placed_threads(document)
    assert [p.thread.id for p in placed] == [earlier.id, middle.id, later.id]


def test_an_anchor_from_another_document_is_refused_and_nothing_is_written(crisis, document, lee):
    other = services.create_document(crisis, title="Another", text="Completely different words here.", actor=lee)
    start, end = anchors(other, "different words")
    before = db.session.scalar(select(func.count(Comment.id)))
    with pytest.raises(ValidationError) as refused:
        on_documents.comment_on_document(document, actor=lee, body="Hm", anchor_start_b64=start,
                                         anchor_end_b64=end, quote="different words")
    assert "not in this document" in refused.value.errors["anchor"]
    assert db.session.scalar(select(func.count(Comment.id))) == before


def api(app, email):
    with app.app_context():
        _, secret = accounts.create_api_token(accounts.find_user_by_email(email), name="doc comments test")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def api_document(app):
    """A committed document (the API runs in its own requests)."""
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        document = services.create_document(space, title="API comments", text=TEXT,
                                            actor=find_user_by_email("lee@policing.test"))
        start, end = anchors(document, "The patient is seen")
        db.session.commit()
        return document.id, start, end


def test_the_api_takes_a_passage_and_lists_it_with_its_place(app, api_document):
    document_id, start, end = api_document
    client, headers = app.test_client(), api(app, "lee@policing.test")
    created = client.post(f"/api/v1/documents/{document_id}/comments", headers=headers, json={
        "body": "Seen by **whom**?", "anchor": {"start": start, "end": end, "quote": "The patient is seen"}})
    assert created.status_code == 201, created.json
    assert created.json["anchor"] == {"start": start, "end": end, "quote": "The patient is seen"}
    expected_start = TEXT.index("The patient")
    assert created.json["passage"]["start"] == expected_start
    assert created.json["passage"]["start_utf16"] == expected_start + 1  # the emoji is two UTF-16 units
    assert created.json["passage"]["removed"] is False
    assert "<strong>whom</strong>" in created.json["html"]
    listed = client.get(f"/api/v1/documents/{document_id}/comments", headers=headers).json["items"]
    assert [t["id"] for t in listed] == [created.json["id"]]
    assert listed[0]["passage"]["end"] == expected_start + len("The patient is seen")


@pytest.mark.parametrize("anchor,message", [
    ({"start": "not base64!", "end": "AAAA"}, "could not be read"),
    ({"start": base64.b64encode(b"garbage bytes").decode(), "end": base64.b64encode(b"\x00").decode()}, "could not be read"),
    ({"start": base64.b64encode(b"\x00\x07\x03\x00").decode(), "end": base64.b64encode(b"\x00\x07\x05\x41").decode()},
     "not in this document"),
    ("the middle bit", "base64 Yjs relative positions"),
    (None, "base64 Yjs relative positions"),
])
def test_the_api_refuses_bad_anchors_with_a_reason(app, api_document, anchor, message):
    document_id, _start, _end = api_document
    client, headers = app.test_client(), api(app, "lee@policing.test")
    response = client.post(f"/api/v1/documents/{document_id}/comments", headers=headers,
                           json={"body": "Hm", "anchor": anchor})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert message in response.get_data(as_text=True)
    assert client.get(f"/api/v1/documents/{document_id}/comments", headers=headers).json["items"] == []


def test_an_empty_comment_on_a_good_passage_is_refused(app, api_document):
    document_id, start, end = api_document
    client, headers = app.test_client(), api(app, "lee@policing.test")
    response = client.post(f"/api/v1/documents/{document_id}/comments", headers=headers,
                           json={"body": "   ", "anchor": {"start": start, "end": end}})
    assert response.status_code == 422
    assert client.get(f"/api/v1/documents/{document_id}/comments", headers=headers).json["items"] == []


def test_the_page_lists_threads_beside_the_text_in_word_order_and_says_when_words_were_removed(app, sign_in_as):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        lee, sam = find_user_by_email("lee@policing.test"), find_user_by_email("sam@socialwork.test")
        document = services.create_document(space, title="Page comments", text=TEXT, actor=lee)
        late = comment(document, lee, "duty officer", body="Which <b>officer</b>?")
        early = comment(document, sam, "The patient is seen", body="Seen by whom?")
        services._store_edit(document, TEXT.replace("by the duty officer", "by someone"), actor=sam)
        db.session.commit()
        document_id, late_id, early_id = document.id, late.id, early.id
    html = sign_in_as("priya@psychiatry.test").get(f"/documents/{document_id}").get_data(as_text=True)
    assert 'id="document-comments"' in html
    assert html.index(f'data-doc-thread="{early_id}"') < html.index(f'data-doc-thread="{late_id}"')
    removed = html[html.index(f'data-doc-thread="{late_id}"'):]
    assert "doc-thread--removed" in html[html.index(f'data-doc-thread="{late_id}"') - 60:][:200]
    assert "The text it was about was removed." in removed and "<q>duty officer</q>" in removed
    assert "<b>officer</b>" not in html and "Which &lt;b&gt;officer&lt;/b&gt;?" in html
    assert 'aria-keyshortcuts="Control+Alt+M"' in html


def test_the_demo_joint_response_has_threads_a_resolved_one_a_term_and_a_reply_from_each_community(ctx):
    from workspace.documents.models import Document
    document = db.session.scalar(select(Document).where(Document.title == "Joint response: first hour of a crisis"))
    placed = on_documents.placed_threads(document)
    assert len(placed) == 3
    text = services.current_text(document)
    for p in placed:
        assert not p.removed and text[p.passage.start:p.passage.end] == p.thread.quote
    assert [p.thread.resolved_at is not None for p in placed] == [False, False, True]  # in the order of the text
    term = next(p for p in placed if "place of safety" in p.thread.quote)
    from workspace.accounts.services import find_user_by_email
    assert term.thread.author_id == find_user_by_email("lee@policing.test").id
    each = next(p for p in placed if p.thread.replies)
    from workspace.boards.joint import communities_by_user
    of = communities_by_user(document.space)
    communities = {c.slug for r in [each.thread, *each.thread.replies] for c in of[r.author_id]}
    assert {"psychiatry", "social-work", "community-policing"} <= communities


def test_a_long_thread_opens_with_its_latest_replies_and_the_rest_on_request(app, sign_in_as):
    from workspace.comments import services as comments
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        lee, sam = find_user_by_email("lee@policing.test"), find_user_by_email("sam@socialwork.test")
        document = services.create_document(space, title="Long thread", text=TEXT, actor=lee)
        thread = comment(document, lee, "within the hour", body="Start")
        for n in range(5):
            comments.reply_to(thread, actor=sam if n % 2 else lee, body=f"Reply number {n}")
        db.session.commit()
        document_id, thread_id = document.id, thread.id
    client = sign_in_as("priya@psychiatry.test")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Show 3 earlier replies" in page
    assert "Reply number 2" not in page and "Reply number 3" in page and "Reply number 4" in page
    whole = client.get(f"/comments/{thread_id}/thread").get_data(as_text=True)
    assert all(f"Reply number {n}" in whole for n in range(5)) and "earlier replies" not in whole


def test_a_quote_is_text_never_markup_in_the_page_and_the_api(app, sign_in_as):
    payload = '<img src=x onerror="alert(1)">'
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        lee = find_user_by_email("lee@policing.test")
        document = services.create_document(space, title="Quoted markup", text=f"Before {payload} after.", actor=lee)
        start, end = anchors(document, payload)
        on_documents.comment_on_document(document, actor=lee, body="Odd text", anchor_start_b64=start,
                                         anchor_end_b64=end, quote=payload)
        db.session.commit()
        document_id = document.id
    client = sign_in_as("priya@psychiatry.test")
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert payload not in page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
    listed = client.get(f"/api/v1/documents/{document_id}/comments").json["items"]
    assert listed[0]["anchor"]["quote"] == payload  # JSON carries the text; the page's script sets it as text


def test_the_document_page_writes_each_thread_form_once_and_links_each_thread_to_its_page(app, sign_in_as):
    """500 comments must not mean 2,000 forms (h9perf): slots per thread, one <template> per form for the script."""
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        lee, sam = find_user_by_email("lee@policing.test"), find_user_by_email("sam@socialwork.test")
        document = services.create_document(space, title="Forms once", text=TEXT, actor=lee)
        first = comment(document, lee, "within the hour", body="First")
        second = comment(document, sam, "duty officer", body="Second")
        db.session.commit()
        document_id, ids = document.id, (first.id, second.id)
    page = sign_in_as("sam@socialwork.test").get(f"/documents/{document_id}").get_data(as_text=True)
    for form in ("reply", "resolve", "reopen", "card", "flag", "edit", "delete"):
        assert page.count(f'<template data-thread-form="{form}">') == 1, form
    assert page.count('action="/comments/__ID__/replies"') == 1 and 'for="reply-__ID__">Reply to __NAME__' in page
    assert all(f'action="/comments/{i}/replies"' not in page for i in ids)  # no thread has its own copy
    for thread_id in ids:
        assert f'data-form-slot="reply" data-id="{thread_id}"' in page
        assert f'<a href="/comments/{thread_id}/thread">Reply or act on this thread on its own page</a>' in page
    assert f'data-form-slot="flag" data-id="{ids[0]}"' in page  # Lee's comment: Sam may flag it ...
    assert f'data-form-slot="edit" data-id="{ids[1]}" data-body="Second"' in page  # ... and edit her own
    assert f'data-form-slot="flag" data-id="{ids[1]}"' not in page and f'data-form-slot="edit" data-id="{ids[0]}"' not in page
