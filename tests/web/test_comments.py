"""Comments over HTTP: the space discussion and card comments, forms without JavaScript, the JSON
answers the page's script uses, refusals beside the field, per-reader thread fragments."""
import re

import pytest
from sqlalchemy import select

from tests.boards_world import person
from tests.conftest import csrf_from
from workspace.boards import services as boards
from workspace.boards.demo import TITLE, find_board
from workspace.comments.models import Comment
from workspace.extensions import db
from workspace.spaces.models import Space

FETCHED = {"X-Requested-With": "fetch", "Accept": "text/html"}  # how static/src/lib/comments.js asks for a thread

JSON = {"Accept": "application/json"}


@pytest.fixture
def ids(app):
    with app.app_context():
        crisis = db.session.scalar(select(Space).where(Space.title == "Crisis response policy 2027"))
        referral = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        board = find_board(TITLE)
        card = boards.open_cards(board)[-1]  # the first has demo comments
        return {"crisis": crisis.id, "referral": referral.id, "board": board.id, "card": card.id,
                "column": boards.open_columns(board)[1].id}


def post(client, url, data, *, page, headers=None):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, headers=headers or {})


def comments_in(app, space_id):
    with app.app_context():
        return list(db.session.scalars(select(Comment).where(Comment.space_id == space_id).order_by(Comment.id)))


def test_posting_in_the_space_discussion_without_javascript(app, sign_in_as, ids):
    sam = sign_in_as("sam@socialwork.test")
    page = f"/spaces/{ids['crisis']}"
    response = post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "Who covers *nights*?"}, page=page)
    assert response.status_code == 303
    comment = comments_in(app, ids["crisis"])[-1]
    assert response.headers["Location"].endswith(f"/spaces/{ids['crisis']}#comment-{comment.id}")
    html = sam.get(page).get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in html and "Who covers <em>nights</em>?" in html
    assert "data-comments-empty hidden" in html
    assert 'for="reply-' in html and "Resolve the thread" in html


def test_a_blank_comment_is_refused_beside_the_field_and_nothing_saved(app, sign_in_as, ids):
    sam = sign_in_as("sam@socialwork.test")
    before = len(comments_in(app, ids["crisis"]))
    response = post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "   "}, page=f"/spaces/{ids['crisis']}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="body-error" role="alert">Comment is required.' in html
    assert len(comments_in(app, ids["crisis"])) == before


def test_the_script_gets_json_answers_and_field_errors(app, sign_in_as, ids):
    sam = sign_in_as("sam@socialwork.test")
    page = f"/spaces/{ids['referral']}"
    ok = post(sam, f"/spaces/{ids['referral']}/comments", {"body": "Hello"}, page=page, headers=JSON)
    assert ok.status_code == 201 and ok.get_json()["ok"] is True
    bad = post(sam, f"/spaces/{ids['referral']}/comments", {"body": "Ask @[Lee Brennan]"}, page=page, headers=JSON)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"body": "Lee Brennan is not in this space."}


def test_outsiders_and_non_members_cannot_comment(app, sign_in_as, ids):
    lee = sign_in_as("lee@policing.test")  # Community Policing is not convened by the referral space
    response = post(lee, f"/spaces/{ids['referral']}/comments", {"body": "Hi"}, page="/")
    assert response.status_code == 404
    outsider = sign_in_as("outsider@convene.test")
    response = post(outsider, f"/spaces/{ids['crisis']}/comments", {"body": "Hi"}, page="/")
    assert response.status_code == 404


def test_reply_edit_history_delete_resolve_through_the_forms(app, sign_in_as, ids):
    sam, lee = sign_in_as("sam@socialwork.test"), sign_in_as("lee@policing.test")
    page = f"/spaces/{ids['crisis']}"
    post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "First words"}, page=page)
    root = comments_in(app, ids["crisis"])[-1].id
    assert post(lee, f"/comments/{root}/replies", {"body": "A reply"}, page=page).status_code == 303
    reply = comments_in(app, ids["crisis"])[-1].id
    assert post(lee, f"/comments/{reply}/replies", {"body": "Nested"}, page=page).status_code == 422
    assert post(lee, f"/comments/{root}/edit", {"body": "Lee's words"}, page=page).status_code == 403
    assert post(sam, f"/comments/{root}/edit", {"body": "Second words"}, page=page).status_code == 303
    assert post(lee, f"/comments/{root}/resolve", {}, page=page).status_code == 303
    html = sam.get(page).get_data(as_text=True)
    assert "Second words" in html and "Edit history (1 earlier version)" in html and "First words" in html
    assert "Resolved by Lee Brennan" in html and "Reopen the thread" in html
    assert post(lee, f"/comments/{reply}/delete", {}, page=page).status_code == 303
    html = sam.get(page).get_data(as_text=True)
    assert "Deleted by its author." in html and "A reply" not in html


def test_card_page_comments_and_the_tile_count(app, sign_in_as, ids):
    jo = sign_in_as("jo@policing.test")
    page = f"/cards/{ids['card']}"
    assert "No comments on this card yet." in jo.get(page).get_data(as_text=True)
    response = post(jo, f"/cards/{ids['card']}/comments", {"body": "On the card"}, page=page)
    assert response.status_code == 303 and f"/cards/{ids['card']}#comment-" in response.headers["Location"]
    assert "On the card" in jo.get(page).get_data(as_text=True)
    board_html = jo.get(f"/boards/{ids['board']}").get_data(as_text=True)
    assert re.search(rf'data-card-id="{ids["card"]}"[\s\S]*?data-comment-count="1"', board_html)


def test_comment_to_card_shows_the_card_and_its_column(app, sign_in_as, ids):
    sam = sign_in_as("sam@socialwork.test")
    page = f"/spaces/{ids['crisis']}"
    post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "Draft the night rota"}, page=page)
    root = comments_in(app, ids["crisis"])[-1].id
    response = post(sam, f"/comments/{root}/card", {"column_id": str(ids["column"])}, page=page)
    assert response.status_code == 303
    html = sam.get(page).get_data(as_text=True)
    assert re.search(r"Made into the card <a href=\"/cards/\d+\">Draft the night rota</a>\s*in <strong>", html)


def test_thread_fragment_is_for_this_reader_only(app, sign_in_as, ids):
    sam = sign_in_as("sam@socialwork.test")
    post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "Fragment"}, page=f"/spaces/{ids['crisis']}")
    root = comments_in(app, ids["crisis"])[-1].id
    fetched = sam.get(f"/comments/{root}/thread", headers=FETCHED)
    html = fetched.get_data(as_text=True)
    assert f'id="thread-{root}"' in html and "Fragment" in html and "data-comment-entries" in html
    assert "<html" not in html and "X-Requested-With" in fetched.headers["Vary"]
    assert sign_in_as("outsider@convene.test").get(f"/comments/{root}/thread").status_code == 404
    assert sign_in_as("outsider@convene.test").get(f"/comments/{root}/thread", headers=FETCHED).status_code == 404


def test_a_thread_followed_as_a_link_is_a_page_with_every_form(app, sign_in_as, ids):
    """Without JavaScript a document's threads link here (their forms are copied in by script): all must work."""
    sam = sign_in_as("sam@socialwork.test")
    post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "On its own page"}, page=f"/spaces/{ids['crisis']}")
    root = comments_in(app, ids["crisis"])[-1].id
    lee = sign_in_as("lee@policing.test")
    html = lee.get(f"/comments/{root}/thread").get_data(as_text=True)
    assert "<html" in html and "<h1>Thread started by Sam" in html and "On its own page" in html
    assert f'href="/spaces/{ids["crisis"]}#comment-{root}"' in html  # back to it in its place
    for action in (f"/comments/{root}/replies", f"/comments/{root}/resolve", f"/comments/{root}/card",
                   "/moderation/flags"):
        assert f'action="{action}"' in html, action
    assert 'for="reply-%d">Reply to Sam' % root in html and "__ID__" not in html and "data-form-slot" not in html
    response = post(lee, f"/comments/{root}/replies", {"body": "Replied without script"}, page=f"/comments/{root}/thread")
    assert response.status_code == 303 and "Replied without script" in lee.get(f"/comments/{root}/thread").get_data(as_text=True)


def test_demo_has_threads_in_each_space_on_two_cards_and_a_reply_from_each_community(app, ids):
    from workspace.boards.joint import communities_by_user
    from workspace.comments import services
    from workspace.demo import seed_demo
    with app.app_context():
        crisis, referral = db.session.get(Space, ids["crisis"]), db.session.get(Space, ids["referral"])
        assert services.threads_for(crisis) and services.threads_for(referral)
        on_cards = db.session.scalars(select(Comment.card_id).where(Comment.card_id.is_not(None)).distinct()).all()
        assert len(on_cards) >= 2
        of = communities_by_user(crisis)
        assert any(len({c.name for r in t.replies for c in of.get(r.author_id, [])}) == 3
                   for t in services.threads_for(crisis))
        assert any(t.resolved_at for t in services.threads_for(crisis))
        before = db.session.query(Comment).count()
        seed_demo()
        assert db.session.query(Comment).count() == before  # running it twice changes nothing


def test_a_refused_reply_keeps_the_text_and_says_why_beside_it(app, sign_in_as, ids):
    from tests.web.test_bad_input import assert_refused_beside
    sam, lee = sign_in_as("sam@socialwork.test"), sign_in_as("lee@policing.test")
    page = f"/spaces/{ids['crisis']}"
    post(sam, f"/spaces/{ids['crisis']}/comments", {"body": "Root"}, page=page)
    root = comments_in(app, ids["crisis"])[-1].id
    post(lee, f"/comments/{root}/replies", {"body": "Reply"}, page=page)
    reply = comments_in(app, ids["crisis"])[-1].id
    response = post(sam, f"/comments/{reply}/replies", {"body": "My careful answer"}, page=page)
    assert_refused_beside(response, "body", "You can only reply to the first comment of a thread")
    assert "My careful answer</textarea>" in response.get_data(as_text=True)
    response = post(sam, f"/comments/{root}/edit", {"body": "x" * 10_001}, page=page)
    assert_refused_beside(response, "body", "at most 10,000 characters")
    response = post(sam, f"/comments/{root}/card", {"column_id": "nonsense"}, page=page)
    assert response.status_code == 422 and "Choose a column" in response.get_data(as_text=True)


def test_the_discussion_costs_the_same_queries_for_3_or_30_threads(app, sign_in_as, ids):
    """No query per comment: loading and rendering threads is a fixed number of queries (no N+1)."""
    from sqlalchemy import event

    from workspace.comments import services
    client = sign_in_as("priya@psychiatry.test")
    page = f"/spaces/{ids['crisis']}"

    def add_threads(n):
        with app.app_context():
            crisis = db.session.get(Space, ids["crisis"])
            for i in range(n):
                root = services.create_comment(space=crisis, actor=person("sam"), body=f"Thread {i} @[Lee Brennan]")
                services.reply_to(root, actor=person("lee"), body=f"Reply {i}")
                services.edit_comment(root, actor=person("sam"), body=f"Thread {i} edited @[Social Work]")
            db.session.commit()

    def queries():
        count = [0]

        def tally(*_args):
            count[0] += 1
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", tally)
        try:
            assert client.get(page).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", tally)
        return count[0]

    add_threads(3)
    client.get(page)  # warm caches (glossary matcher)
    few = queries()
    add_threads(27)
    many = queries()
    assert few > 10 and many == few, (few, many)
