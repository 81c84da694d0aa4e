"""A person's own data (issue 12): the export holds what they wrote and nothing of others'; deleting
an account keeps the shared work readable and anonymises the person."""
import io
import json
import zipfile

from sqlalchemy import select

from tests.conftest import post_form, sign_in
from workspace.accounts import services as accounts
from workspace.boards import services as boards
from workspace.boards.models import Board
from workspace.communities import services as communities
from workspace.documents import services as documents
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.glossary import services as glossary
from workspace.privacy import EXPORTERS, Section, exporter
from workspace.spaces.models import Space

OMAR, PRIYA = "omar@psychiatry.test", "priya@psychiatry.test"


def write_things(app, email, marker):
    """Have `email` start a document, write a card and add a term, each carrying `marker`."""
    with app.app_context():
        person = accounts.find_user_by_email(email)
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        document = documents.create_document(space, title=f"Notes {marker}", text=f"Text {marker}", actor=person)
        board = db.session.scalar(select(Board).where(Board.space_id == space.id)) or \
            boards.create_board(space, title="Referral tasks", actor=person)
        boards.create_card(board, column=board.columns[0], title=f"Card {marker}",
                           description=f"Description {marker}", actor=person)
        glossary.create_term(communities.find_community("psychiatry"),
                             data={"term": f"term{marker}", "definition": f"Definition {marker}"}, actor=person)
        db.session.commit()
        return document.id


def export_of(client) -> dict[str, str]:
    response = client.get("/profile/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_holds_what_i_wrote_and_nothing_of_others(app, sign_in_as):
    write_things(app, OMAR, "omar-0451")
    write_things(app, PRIYA, "priya-7781")
    files = export_of(sign_in_as(OMAR))
    assert {"README.md", "account.json", "account.md", "documents.json", "documents.md", "boards.json",
            "boards.md", "glossary.json", "glossary.md"} <= set(files)
    everything = "\n".join(files.values())
    assert "priya-7781" not in everything and "priya@psychiatry.test" not in everything
    assert json.loads(files["account.json"])["email"] == OMAR
    assert "Notes omar-0451" in [d["title"] for d in json.loads(files["documents.json"])["documents"]]
    cards = json.loads(files["boards.json"])["cards"]
    assert [c["description"] for c in cards if "omar-0451" in c["title"]] == ["Description omar-0451"]
    assert "termomar-0451" in [t["term"] for t in json.loads(files["glossary.json"])["terms"]]
    assert "### Card omar-0451" in files["boards.md"]


def test_a_new_domain_adds_its_part_of_the_export(app, sign_in_as):
    @exporter("comments-for-test")
    def _comments(user):
        return Section({"comments": [f"comment by {user.display_name}"]}, "# Comments\n")

    try:
        files = export_of(sign_in_as(OMAR))
    finally:
        EXPORTERS.pop("comments-for-test")
    assert json.loads(files["comments-for-test.json"]) == {"comments": ["comment by Omar Haddad"]}


def test_export_needs_signing_in(client):
    response = client.get("/profile/export")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_my_account_keeps_shared_work_under_a_former_member(app, sign_in_as):
    document_id = write_things(app, OMAR, "omar-0452")
    omar = sign_in_as(OMAR)
    assert "A former member of Psychiatry" in omar.get("/profile/delete").get_data(as_text=True)
    response = post_form(omar, "/profile/delete", {"password": "convene-demo"}, page="/profile/delete")
    assert response.status_code == 302
    assert omar.get("/profile").status_code == 302  # signed out
    assert sign_in(app.test_client(), OMAR).status_code != 302  # the account is gone
    with app.app_context():
        assert accounts.find_user_by_email(OMAR) is None
        document = db.session.get(Document, document_id)
        assert document.created_by.display_name == "A former member of Psychiatry"
        assert document.created_by.memberships == []
        from workspace.documents.store import current_text
        assert current_text(document_id) == "Text omar-0452"  # the joint text stays
    page = sign_in_as(PRIYA).get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Omar Haddad" not in page


def test_deleting_needs_the_password_and_changes_nothing_otherwise(app, sign_in_as):
    omar = sign_in_as(OMAR)
    response = post_form(omar, "/profile/delete", {"password": "not my password"}, page="/profile/delete")
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert omar.get("/profile").status_code == 200
    with app.app_context():
        assert accounts.find_user_by_email(OMAR).display_name == "Omar Haddad"


def test_the_only_steward_is_asked_to_hand_over_first(app, sign_in_as):
    priya = sign_in_as(PRIYA)  # the only steward of Psychiatry
    response = post_form(priya, "/profile/delete", {"password": "convene-demo"}, page="/profile/delete")
    assert response.status_code == 422
    assert "only steward of Psychiatry" in response.get_data(as_text=True)
    assert priya.get("/profile").status_code == 200


def test_export_holds_my_comments_and_not_others(app, sign_in_as):
    from workspace.comments import services as comments

    with app.app_context():
        omar, priya = accounts.find_user_by_email(OMAR), accounts.find_user_by_email(PRIYA)
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        mine = comments.create_comment(space=space, actor=omar, body="My point omar-3141 about referrals")
        comments.reply_to(mine, actor=priya, body="Priya's answer priya-2718")
        gone = comments.create_comment(space=space, actor=omar, body="Second thoughts omar-gone-1618")
        comments.delete_comment(gone, actor=omar)
        db.session.commit()
    files = export_of(sign_in_as(OMAR))
    exported = json.loads(files["comments.json"])["comments"]
    assert "My point omar-3141 about referrals" in [c["body"] for c in exported]
    assert "the space's discussion" in {c["on"] for c in exported}
    everything = "\n".join(files.values())
    assert "priya-2718" not in everything           # a reply in my thread is Priya's, not mine
    assert "omar-gone-1618" not in everything        # a deleted comment keeps no text, in the export too
    assert "My point omar-3141" in files["comments.md"]
