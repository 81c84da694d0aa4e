"""Permission rows for joint-response documents (in "Referral guidelines")."""
from pycrdt import create_update_message
from sqlalchemy import select

from tests.permission_rows.actors import VIEWERS
from workspace.accounts import services as accounts
from workspace.documents import services as documents
from workspace.documents.models import Document
from workspace.documents.store import new_doc
from workspace.extensions import db
from workspace.spaces.models import Space

EDITORS = {"participant", "moderator"}          # joined members of the active space
STEWARDS_OF_CONVENED = {"moderator"}             # Sam stewards Social Work
WITHDRAWERS = {"moderator", "admin"}             # the space's moderators (and site admins)

TABLE = {
    ("documents.create_document", "GET"): ("/spaces/{space}/documents/new", EDITORS),
    ("documents.create_document", "POST"): ("/spaces/{space}/documents/new", EDITORS),
    ("documents.show_document", "GET"): ("/documents/{document}", VIEWERS),
    ("documents.preview_document", "POST"): ("/documents/{document}/preview", VIEWERS),
    ("documents.list_versions", "GET"): ("/documents/{document}/versions", VIEWERS),
    ("documents.save_version", "POST"): ("/documents/{document}/versions", EDITORS),
    ("documents.show_diff", "GET"): ("/documents/{document}/diff?from={version}&to=current", VIEWERS),
    ("documents.restore_version", "POST"): ("/documents/{document}/versions/{version}/restore", EDITORS),
    ("documents.move_to_review", "POST"): ("/documents/{document}/review", EDITORS),
    ("documents.record_position", "POST"): ("/documents/{review_document}/positions", STEWARDS_OF_CONVENED),
    ("documents.withdraw_document", "POST"): ("/documents/{document}/withdraw", WITHDRAWERS),
    ("documents.export_markdown", "GET"): ("/documents/{document}/export.md", VIEWERS),
    ("documents.export_html", "GET"): ("/documents/{document}/export.html", VIEWERS),
    ("api.list_documents", "GET"): ("/api/v1/spaces/{space}/documents", VIEWERS),
    ("api.create_document", "POST"): ("/api/v1/spaces/{space}/documents", EDITORS),
    ("api.get_document", "GET"): ("/api/v1/documents/{document}", VIEWERS),
    ("api.list_document_versions", "GET"): ("/api/v1/documents/{document}/versions", VIEWERS),
    ("api.save_document_version", "POST"): ("/api/v1/documents/{document}/versions", EDITORS),
    ("api.restore_document_version", "POST"): ("/api/v1/documents/{document}/versions/{version}/restore", EDITORS),
    ("api.propose_document", "POST"): ("/api/v1/documents/{document}/review", EDITORS),
    ("api.record_document_position", "POST"): ("/api/v1/documents/{review_document}/endorsements",
                                               STEWARDS_OF_CONVENED),
    ("api.withdraw_document", "POST"): ("/api/v1/documents/{document}/withdraw", WITHDRAWERS),
    ("api.list_document_authors", "GET"): ("/api/v1/documents/{document}/authors", VIEWERS),
}

JOIN = ("join_document", {"document_id": "{document}"})
SOCKET_TABLE = {
    "join_document": ({"document_id": "{document}"}, VIEWERS),
    "leave_document": ({"document_id": "{document}"}, VIEWERS),
    # A write (a Yjs update) after joining: only editors' updates are applied.
    "document_message": (["{document}", "{update_message}"], EDITORS, [JOIN]),
}


def build() -> dict:
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    document = db.session.scalar(select(Document).where(Document.space_id == space.id))
    priya = accounts.find_user_by_email("priya@psychiatry.test")
    version = documents.save_version(document, note="for the permission table", actor=priya)
    review = documents.create_document(space, title="Under review", text="Agreed words.", actor=priya)
    documents.move_to_review(review, actor=priya)
    doc, text = new_doc()
    text += "a permitted edit"
    return {"document": document.id, "version": version.id, "review_document": review.id,
            "update_message": create_update_message(doc.get_update())}


# --- comments on passages (issue 9, doc-comments) ---------------------------------------------------
from tests.permission_rows.actors import VIEWERS as _VIEWERS  # noqa: E402

COMMENTERS = {"participant", "moderator"}  # joined members of the active space
TABLE.update({
    ("api.list_document_comments", "GET"): ("/api/v1/documents/{document}/comments", _VIEWERS),
    ("api.create_document_comment", "POST"): ("/api/v1/documents/{document}/comments", COMMENTERS),
})
