"""API: documents in a space, their text and endorsement record, versions, review and positions."""
from flask_login import current_user, login_required
from sqlalchemy import select

from workspace import policy
from workspace.api import bp, int_field, json_body
from workspace.api.openapi import describe, id_param, list_of, ref, responses
from workspace.communities.models import Community
from workspace.documents import services
from workspace.documents.models import POSITIONS, STATUSES, DocumentAuthor, DocumentVersion
from workspace.documents.schemas import document_json, version_json
from workspace.errors import NotFound, ValidationError
from workspace.extensions import db
from workspace.loading import load_document, load_space


@bp.get("/spaces/<int:space_id>/documents")
@login_required
def list_documents(space_id):
    return {"items": [document_json(d) for d in services.documents_in(load_space(space_id))]}


@bp.post("/spaces/<int:space_id>/documents")
@login_required
def create_document(space_id):
    space = load_space(space_id)
    policy.require(policy.can_create_document(current_user, space), "Join this space to start a document.")
    data = json_body()
    document = services.create_document(space, title=data.get("title"), responds_to=data.get("responds_to", ""),
                                        responds_to_url=data.get("responds_to_url", ""), text=data.get("text", ""),
                                        actor=current_user)
    return document_json(document, detail=True), 201


@bp.get("/documents/<int:document_id>")
@login_required
def get_document(document_id):
    return document_json(load_document(document_id), detail=True)


@bp.get("/documents/<int:document_id>/versions")
@login_required
def list_document_versions(document_id):
    return {"items": [version_json(v) for v in services.versions_of(load_document(document_id))]}


@bp.post("/documents/<int:document_id>/versions")
@login_required
def save_document_version(document_id):
    document = load_document(document_id)
    policy.require(policy.can_edit_document(current_user, document), "Only editors save versions.")
    data = json_body()
    return version_json(services.save_version(document, note=data.get("note", ""), actor=current_user)), 201


@bp.post("/documents/<int:document_id>/versions/<int:version_id>/restore")
@login_required
def restore_document_version(document_id, version_id):
    document = load_document(document_id)
    policy.require(policy.can_edit_document(current_user, document), "Only editors restore versions.")
    version = db.session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        raise NotFound("That version does not exist for this document.")
    services.restore_version(document, version, actor=current_user)
    return document_json(document, detail=True)


@bp.post("/documents/<int:document_id>/review")
@login_required
def propose_document(document_id):
    document = load_document(document_id)
    policy.require(policy.can_propose_document(current_user, document), "Only editors propose a version.")
    services.move_to_review(document, actor=current_user)
    return document_json(document, detail=True)


@bp.post("/documents/<int:document_id>/endorsements")
@login_required
def record_document_position(document_id):
    document = load_document(document_id)
    policy.require(policy.can_endorse_document(current_user, document),
                   "Only stewards of a convened community record positions, while the document is in review.")
    data = json_body()
    community = db.session.get(Community, int_field(data, "community_id"))
    if community is None:
        raise ValidationError({"community_id": "No such community."})
    services.record_position(document, community=community, position=data.get("position"),
                             note=data.get("note", ""), actor=current_user)
    return document_json(document, detail=True)


@bp.post("/documents/<int:document_id>/withdraw")
@login_required
def withdraw_document(document_id):
    document = load_document(document_id)
    policy.require(policy.can_withdraw_document(current_user, document),
                   "Only the space's moderators or the document's author withdraw it.")
    data = json_body()
    services.withdraw_document(document, reason=data.get("reason", ""), actor=current_user)
    return document_json(document, detail=True)


@bp.get("/documents/<int:document_id>/authors")
@login_required
def list_document_authors(document_id):
    """Which person each Yjs client id belongs to, for the "who wrote what" view."""
    document = load_document(document_id)
    rows = db.session.scalars(select(DocumentAuthor).where(DocumentAuthor.document_id == document.id))
    return {"items": [{"client_id": r.client_id, "user_id": r.user_id, "display_name": r.user.display_name}
                      for r in rows]}


DOC_ID = [id_param("document_id")]
DOCUMENT = {"type": "object", "required": ["id", "title", "status"], "properties": {
    "id": {"type": "integer"}, "space_id": {"type": "integer"}, "title": {"type": "string"},
    "status": {"type": "string", "enum": list(STATUSES)}, "responds_to": {"type": "string"},
    "responds_to_url": {"type": "string"}, "text": {"type": "string", "description": "The current Markdown"},
    "endorsements": {"type": "object", "properties": {"acted": {"type": "integer"}, "communities": {"type": "integer"}}},
    "proposed_version": {"oneOf": [ref("DocumentVersion"), {"type": "null"}]},
    "adopted_version": {"oneOf": [ref("DocumentVersion"), {"type": "null"}]},
    "endorsement_record": {"type": "array", "items": {"type": "object", "properties": {
        "community_id": {"type": "integer"}, "community": {"type": "string"},
        "position": {"type": ["string", "null"], "enum": [*POSITIONS, None]}, "note": {"type": "string"},
        "version": {"type": ["integer", "null"]}, "current": {"type": "boolean"},
        "changed_since": {"type": "boolean"}}}}}}

describe(paths={
    "/spaces/{space_id}/documents": {
        "get": {"operationId": "list_documents", "summary": "Joint-response documents in a space",
                "parameters": [id_param("space_id")], "responses": responses("200", list_of("Document"), 404)},
        "post": {"operationId": "create_document", "summary": "Start a document (joined members)",
                 "parameters": [id_param("space_id")],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["title"], "properties": {
                         "title": {"type": "string", "maxLength": 200}, "responds_to": {"type": "string"},
                         "responds_to_url": {"type": "string", "format": "uri"}, "text": {"type": "string"}}}}}},
                 "responses": responses("201", ref("Document"), 403, 404, 422)}},
    "/documents/{document_id}": {"get": {
        "operationId": "get_document", "summary": "A document with its text and endorsement record",
        "parameters": DOC_ID, "responses": responses("200", ref("Document"), 404)}},
    "/documents/{document_id}/versions": {
        "get": {"operationId": "list_document_versions", "summary": "Saved, proposed and restored versions",
                "parameters": DOC_ID, "responses": responses("200", list_of("DocumentVersion"), 404)},
        "post": {"operationId": "save_document_version", "summary": "Save the current text as a named version",
                 "parameters": DOC_ID, "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "properties": {"note": {"type": "string", "maxLength": 500}}}}}},
                 "responses": responses("201", ref("DocumentVersion"), 403, 404, 422)}},
    "/documents/{document_id}/versions/{version_id}/restore": {"post": {
        "operationId": "restore_document_version", "summary": "Restore an old version as a new edit",
        "parameters": DOC_ID + [id_param("version_id")], "responses": responses("200", ref("Document"), 403, 404)}},
    "/documents/{document_id}/review": {"post": {
        "operationId": "propose_document", "summary": "Freeze the current text as the proposed version",
        "parameters": DOC_ID, "responses": responses("200", ref("Document"), 403, 404, 422)}},
    "/documents/{document_id}/endorsements": {"post": {
        "operationId": "record_document_position", "summary": "Record a community's position (stewards)",
        "parameters": DOC_ID, "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["community_id", "position"], "properties": {
                "community_id": {"type": "integer"}, "position": {"type": "string", "enum": list(POSITIONS)},
                "note": {"type": "string", "description": "Required for block and reservations"}}}}}},
        "responses": responses("200", ref("Document"), 403, 404, 422)}},
    "/documents/{document_id}/withdraw": {"post": {
        "operationId": "withdraw_document", "summary": "Withdraw a document (moderators or its author)",
        "parameters": DOC_ID, "requestBody": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {"reason": {"type": "string"}}}}}},
        "responses": responses("200", ref("Document"), 403, 404, 422)}},
    "/documents/{document_id}/authors": {"get": {
        "operationId": "list_document_authors", "summary": "Who each Yjs client id is",
        "parameters": DOC_ID, "responses": responses("200", {"type": "object"}, 404)}},
}, schemas={
    "Document": DOCUMENT,
    "DocumentVersion": {"type": "object", "properties": {
        "id": {"type": "integer"}, "number": {"type": "integer"}, "note": {"type": "string"},
        "kind": {"type": "string", "enum": ["named", "proposed", "restored"]}, "created_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
})


# --- comments on passages (issue 9, doc-comments) ---------------------------------------------------
from workspace.comments import on_documents  # noqa: E402
from workspace.comments.schemas import comment_payload  # noqa: E402


def document_thread_json(placed: "on_documents.PlacedThread") -> dict:
    """A thread on a document with where its passage is now ("removed" when its words were deleted)."""
    body = comment_payload(placed.thread, replies=True)
    body["passage"] = placed.passage.as_json() if placed.passage else None
    return body


@bp.get("/documents/<int:document_id>/comments")
@login_required
def list_document_comments(document_id):
    """The document's threads in the order their passages appear in the text."""
    document = load_document(document_id)
    return {"items": [document_thread_json(p) for p in on_documents.placed_threads(document)]}


@bp.post("/documents/<int:document_id>/comments")
@login_required
def create_document_comment(document_id):
    document = load_document(document_id)
    policy.require(policy.can_comment(current_user, document.space),
                   "Only joined members of an active space comment on its documents.")
    data = json_body()
    anchor = data.get("anchor")
    if not isinstance(anchor, dict):
        raise ValidationError({"anchor": "Give the passage as {\"start\", \"end\"}: base64 Yjs relative positions."})
    comment = on_documents.comment_on_document(document, actor=current_user, body=data.get("body"),
                                               anchor_start_b64=anchor.get("start"),
                                               anchor_end_b64=anchor.get("end"), quote=anchor.get("quote"))
    placed = next(p for p in on_documents.placed_threads(document) if p.thread.id == comment.id)
    return document_thread_json(placed), 201


describe(paths={
    "/documents/{document_id}/comments": {
        "get": {"operationId": "list_document_comments",
                "summary": "Threads on passages of a document, in text order, with where each passage is now",
                "parameters": DOC_ID, "responses": responses("200", list_of("DocumentThread"), 404)},
        "post": {"operationId": "create_document_comment",
                 "summary": "Comment on a passage (joined members of an active space)",
                 "description": "The passage is given by two Yjs relative positions made with "
                                "`Y.createRelativePositionFromTypeIndex` on the document's `Y.Text` \"body\": "
                                "the start on its first character (assoc 0), the end on its last (assoc -1), "
                                "each encoded with `Y.encodeRelativePosition` and base64. Positions that do not "
                                "decode, or that belong to another document, are refused (422).",
                 "parameters": DOC_ID,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["body", "anchor"], "properties": {
                         "body": {"type": "string", "maxLength": 10000, "description": "Markdown; @[Name] mentions"},
                         "anchor": {"type": "object", "required": ["start", "end"], "properties": {
                             "start": {"type": "string", "format": "byte"},
                             "end": {"type": "string", "format": "byte"},
                             "quote": {"type": "string", "maxLength": 2000,
                                       "description": "The selected text (defaults to the passage's text now)"}}}}}}}},
                 "responses": responses("201", ref("DocumentThread"), 403, 404, 422)}},
}, schemas={
    "DocumentThread": {"type": "object", "required": ["id", "anchor", "passage"], "properties": {
        "id": {"type": "integer"}, "document_id": {"type": "integer"}, "body": {"type": "string"},
        "html": {"type": "string"}, "author": {"type": ["object", "null"]}, "resolved": {"type": "boolean"},
        "resolved_by": {"type": ["object", "null"]}, "deleted": {"type": "boolean"},
        "replies": {"type": "array", "items": {"type": "object"}},
        "anchor": {"type": "object", "properties": {
            "start": {"type": "string", "format": "byte"}, "end": {"type": "string", "format": "byte"},
            "quote": {"type": ["string", "null"], "description": "The text the comment was made on"}}},
        "passage": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
            "start": {"type": "integer", "description": "In code points"}, "end": {"type": "integer"},
            "start_utf16": {"type": "integer", "description": "In UTF-16 units (JavaScript)"},
            "end_utf16": {"type": "integer"},
            "removed": {"type": "boolean", "description": "The text it was about was removed"}}}]}}},
})
