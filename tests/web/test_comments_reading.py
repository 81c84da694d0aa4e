"""Comments follow the reader's "Read in my words" choice, through the same glossary path as the rest of a page."""
import re

import pytest
from sqlalchemy import select

from tests.boards_world import person
from workspace.boards import services as boards
from workspace.boards.demo import TITLE, find_board
from workspace.comments import services as comments
from workspace.comments.demo import REFERRAL_OPENING
from workspace.comments.models import Comment
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.spaces.models import Space

MINE = ('<span class="in-my-words" tabindex="0"><span class="in-my-words__mine">client</span>'
        '<span class="in-my-words__original"> (written: patient)</span></span>')


def fragment(html: str, comment_id: int) -> str:
    match = re.search(rf'<div[^>]*data-glossary-fragment="comment-{comment_id}"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no body fragment for comment {comment_id}"
    return match.group(0)


@pytest.fixture
def place(app):
    """The referral space, Priya's opening ("We say *patient*."), and a card comment of hers using the word."""
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        opening = db.session.scalar(select(Comment).where(Comment.body == REFERRAL_OPENING))
        card = boards.open_cards(find_board(TITLE))[-1]
        on_card = comments.create_comment(space=card.board.space, actor=person("priya"), card=card,
                                          body="Ask the patient first.")
        db.session.commit()
        return {"space": space.id, "opening": opening.id, "card": card.id, "on_card": on_card.id}


def test_a_social_worker_reads_the_discussion_in_her_words_and_sees_what_was_written(sign_in_as, place):
    sam = sign_in_as("sam@socialwork.test")
    mine = sam.get(f"/comments/bodies?space={place['space']}&mode=mine")
    body = fragment(mine.get_data(as_text=True), place["opening"])
    assert mine.status_code == 200 and 'data-mode="mine"' in body and MINE in body
    as_written = fragment(sam.get(f"/comments/bodies?space={place['space']}").get_data(as_text=True), place["opening"])
    assert 'data-mode="annotated"' in as_written and "in-my-words" not in as_written and "patient" in as_written


def test_a_thread_fetched_after_a_live_event_keeps_the_readers_choice(sign_in_as, place):
    sam = sign_in_as("sam@socialwork.test")
    mine = sam.get(f"/comments/{place['opening']}/thread?mode=mine").get_data(as_text=True)
    assert MINE in fragment(mine, place["opening"])
    annotated = sam.get(f"/comments/{place['opening']}/thread").get_data(as_text=True)
    assert "in-my-words" not in fragment(annotated, place["opening"])


def test_card_and_document_comments_read_in_my_words_too(app, sign_in_as, place):
    sam = sign_in_as("sam@socialwork.test")
    on_card = sam.get(f"/comments/bodies?card={place['card']}&mode=mine").get_data(as_text=True)
    assert "in-my-words__mine\">client</span>" in fragment(on_card, place["on_card"])
    with app.app_context():
        document = db.session.scalar(select(Document).where(Document.space_id == place["space"]))
        thread = comments.create_comment(space=document.space, actor=person("priya"),
                                         document=document, body="The patient decides.")
        db.session.commit()
        document_id, thread_id = document.id, thread.id
    on_document = sam.get(f"/comments/bodies?document={document_id}&mode=mine").get_data(as_text=True)
    assert "in-my-words__mine\">client</span>" in fragment(on_document, thread_id)
    # A psychiatrist reading in his own words sees Priya's word unchanged: it is already his community's.
    omar = sign_in_as("omar@psychiatry.test")
    assert "in-my-words" not in omar.get(f"/comments/bodies?card={place['card']}&mode=mine").get_data(as_text=True)


def test_comment_bodies_of_a_place_you_cannot_see_or_of_no_place_are_refused(sign_in_as, place):
    jo = sign_in_as("jo@policing.test")  # Community Policing is not convened in the referral space
    assert jo.get(f"/comments/bodies?space={place['space']}&mode=mine").status_code == 404
    sam = sign_in_as("sam@socialwork.test")
    for query in ("", "?space=abc", f"?space={place['space']}&card={place['card']}"):
        refused = sam.get(f"/comments/bodies{query}")
        assert refused.status_code == 422, query
        assert "Ask for the comments of one space, card or document" in refused.get_data(as_text=True)


def test_the_pages_tell_their_script_where_to_fetch_comment_bodies(sign_in_as, place):
    sam = sign_in_as("sam@socialwork.test")
    space_page = sam.get(f"/spaces/{place['space']}").get_data(as_text=True)
    assert f'data-bodies-url="/comments/bodies?space={place["space"]}"' in space_page
    assert f'data-glossary-fragment="comment-{place["opening"]}" data-mode="annotated"' in space_page
    card_page = sam.get(f"/cards/{place['card']}").get_data(as_text=True)
    assert f'data-bodies-url="/comments/bodies?card={place["card"]}"' in card_page
