"""API: glossary terms, bridges, a space's glossary, and jargon hints for editors."""
from flask import request
from flask_login import current_user, login_required

from workspace import policy
from workspace.api import bp, int_field, json_body
from workspace.api.openapi import body, describe, id_param, list_of, ref, responses
from workspace.communities.models import Community
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.glossary import reading, services
from workspace.glossary.models import RELATIONS, Bridge, Term
from workspace.glossary.schemas import bridge_json, revision_json, term_json
from workspace.loading import load_or_404, load_space, load_term

TERM_FIELDS = ("term", "aliases", "definition", "example", "status", "loaded_note")


def load_community(community_id: int) -> Community:
    community = load_or_404(Community, community_id, "Community")
    policy.require(policy.can_view_glossary(current_user, community), user=current_user)
    return community


@bp.get("/communities/<int:community_id>/terms")
@login_required
def list_terms(community_id):
    community = load_community(community_id)
    terms = services.list_terms(community, include_pending=policy.can_propose_term(current_user, community))
    return {"items": [term_json(t) for t in terms]}


@bp.post("/communities/<int:community_id>/terms")
@login_required
def create_term(community_id):
    community = load_community(community_id)
    policy.require(policy.can_propose_term(current_user, community),
                   f"Only members of {community.name} add to its glossary.")
    data = json_body()
    term = services.create_term(community, data={k: data.get(k) for k in TERM_FIELDS}, actor=current_user)
    return term_json(term), 201


@bp.get("/terms/<int:term_id>")
@login_required
def get_term(term_id):
    term = load_term(term_id)
    return {**term_json(term), "bridges": [bridge_json(b) for b in services.bridges_of(term)],
            "history": [revision_json(r) for r in services.term_history(term)]}


@bp.patch("/terms/<int:term_id>")
@login_required
def update_term(term_id):
    term = load_term(term_id)
    policy.require(policy.can_edit_term(current_user, term), f"Only members of {term.community.name} edit its glossary.")
    data = json_body()
    revision = services.update_term(term, data={k: data[k] for k in TERM_FIELDS if k in data},
                                    version=data.get("version"), actor=current_user)
    if revision.state == "pending":
        return {**term_json(term), "pending_revision": revision_json(revision)}, 202
    return term_json(term)


@bp.get("/bridges")
@login_required
def list_bridges():
    term_id = request.args.get("term_id", type=int)
    community_id = request.args.get("community_id", type=int)
    space_id = request.args.get("space_id", type=int)
    if space_id is not None:
        bridges = services.list_bridges(space=load_space(space_id))
    elif term_id is not None:
        bridges = services.list_bridges(term=load_term(term_id))
    elif community_id is not None:
        bridges = services.list_bridges(community=load_community(community_id))
    else:
        bridges = services.list_bridges()
    return {"items": [bridge_json(b) for b in bridges]}


@bp.post("/bridges")
@login_required
def propose_bridge():
    policy.require(policy.can_propose_bridges(current_user), "Join a space to propose bridges between its communities.")
    data = json_body()
    from_term = db.session.get(Term, int_field(data, "from_term_id"))
    to_term = db.session.get(Term, int_field(data, "to_term_id"))
    errors = {}
    for field, term in (("from_term_id", from_term), ("to_term_id", to_term)):
        if term is None or not policy.can_view_term(current_user, term):
            errors[field] = f"No term has id {data[field]}."
    if errors:
        raise ValidationError(errors)
    if from_term.community_id != to_term.community_id and from_term.id != to_term.id:
        policy.require(policy.can_propose_bridge(current_user, from_term, to_term),
                       "You can propose a bridge only from a space you have joined that convenes both communities.")
    bridge = services.propose_bridge(from_term=from_term, to_term=to_term, relation=data.get("relation"),
                                     note=data.get("note", ""), actor=current_user)
    return bridge_json(bridge), 201


@bp.post("/bridges/<int:bridge_id>/confirm")
@login_required
def confirm_bridge(bridge_id):
    bridge = load_or_404(Bridge, bridge_id, "Bridge")
    policy.require(policy.can_confirm_bridge(current_user, bridge),
                   "Only a member of a community that has not confirmed yet can confirm.")
    services.confirm_bridge(bridge, actor=current_user)
    return bridge_json(bridge)


@bp.get("/spaces/<int:space_id>/glossary")
@login_required
def get_space_glossary(space_id):
    space = load_space(space_id)
    terms = [t for c in space.communities for t in services.list_terms(c)]
    return {"space_id": space.id, "terms": [term_json(t) for t in terms],
            "bridges": [bridge_json(b) for b in services.list_bridges(space=space)]}


@bp.post("/spaces/<int:space_id>/jargon-hints")
@login_required
def get_jargon_hints(space_id):
    """Hints for text being written in the space (editors call this as the writer types; it never blocks)."""
    space = load_space(space_id)
    text = json_body().get("text")
    if not isinstance(text, str) or len(text) > 100_000:
        raise ValidationError({"text": "Send the text being written (at most 100,000 characters)."})
    ctx = reading.context_for(space, current_user)
    return {"items": reading.jargon_hints(text, ctx),
            "reading_as": ctx.reading_as.id if ctx.reading_as else None}


TERM = {"type": "object", "required": ["id", "community_id", "term", "aliases", "definition", "example", "status"],
        "properties": {
            "id": {"type": "integer"}, "community_id": {"type": "integer"},
            "term": {"type": "string", "minLength": 1, "maxLength": 80},
            "aliases": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 20},
            "definition": {"type": "string", "description": "Markdown"},
            "definition_text": {"type": "string", "description": "The definition as a reader sees it, without Markdown"},
            "example": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "deprecated", "loaded"]},
            "loaded_note": {"type": "string", "description": "Why the term is loaded (required when it is)"},
            "approved": {"type": "boolean", "description": "False while a member's proposal awaits a steward"},
            "version": {"type": "integer", "description": "Send it back with PATCH; a stale one gets 409"},
            "updated_at": {"type": "string", "format": "date-time"}}}
BRIDGE = {"type": "object", "required": ["id", "from_term_id", "to_term_id", "relation", "note", "status"],
          "properties": {
              "id": {"type": "integer"}, "from_term_id": {"type": "integer"}, "to_term_id": {"type": "integer"},
              "relation": {"type": "string", "enum": list(RELATIONS),
                           "description": "SKOS reading: broader means the to-term is broader than the from-term"},
              "note": {"type": "string"}, "status": {"type": "string", "enum": ["proposed", "confirmed", "disputed"]},
              "confirmed_by_community_ids": {"type": "array", "items": {"type": "integer"}},
              "dispute_reason": {"type": ["string", "null"]}}}
TERM_INPUT = {"type": "object", "required": ["term", "definition"], "properties": {
    k: v for k, v in TERM["properties"].items() if k in TERM_FIELDS}}
TERM_PATCH = {"type": "object", "required": ["version"], "properties": {
    **{k: v for k, v in TERM["properties"].items() if k in TERM_FIELDS}, "version": {"type": "integer"}}}
BRIDGE_INPUT = {"type": "object", "required": ["from_term_id", "to_term_id", "relation"], "properties": {
    "from_term_id": {"type": "integer"}, "to_term_id": {"type": "integer"},
    "relation": {"type": "string", "enum": list(RELATIONS)}, "note": {"type": "string", "maxLength": 2000}}}
HINT = {"type": "object", "properties": {
    "kind": {"type": "string", "enum": ["false_friend", "loaded", "unknown_acronym"]},
    "start": {"type": "integer", "description": "code-point offset"}, "end": {"type": "integer"},
    "utf16_start": {"type": "integer", "description": "offset for JavaScript strings"},
    "utf16_end": {"type": "integer"}, "text": {"type": "string"}, "term_id": {"type": ["integer", "null"]},
    "community": {"type": ["string", "null"]}, "message": {"type": "string"},
    "bridges": {"type": "array", "items": {"type": "object"}}}}

describe(paths={
    "/communities/{community_id}/terms": {
        "get": {"operationId": "list_terms", "summary": "A community's glossary (proposals too, for its members)",
                "parameters": [id_param("community_id")], "responses": responses("200", list_of("Term"), 404)},
        "post": {"operationId": "create_term",
                 "summary": "Add a term (stewards) or propose one (members); duplicates compare after NFKC, ignoring case",
                 "parameters": [id_param("community_id")], "requestBody": body("TermInput"),
                 "responses": responses("201", ref("Term"), 403, 404, 422)}},
    "/terms/{term_id}": {
        "get": {"operationId": "get_term", "summary": "A term with its bridges and history",
                "parameters": [id_param("term_id")], "responses": responses("200", ref("Term"), 404)},
        "patch": {"operationId": "update_term",
                  "summary": "Change a term (202 with pending_revision when it needs a steward's approval)",
                  "parameters": [id_param("term_id")], "requestBody": body("TermPatch"),
                  "responses": {**responses("200", ref("Term"), 403, 404, 409, 422),
                                "202": {"description": "Proposed: waits for a steward",
                                        "content": {"application/json": {"schema": ref("Term")}}}}}},
    "/bridges": {
        "get": {"operationId": "list_bridges", "summary": "Bridges, optionally for one term, community or space",
                "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "integer"}}
                               for n in ("term_id", "community_id", "space_id")],
                "responses": responses("200", list_of("Bridge"), 404)},
        "post": {"operationId": "propose_bridge",
                 "summary": "Propose a bridge between terms of two communities convened by a space you joined",
                 "requestBody": body("BridgeInput"), "responses": responses("201", ref("Bridge"), 403, 422)}},
    "/bridges/{bridge_id}/confirm": {"post": {
        "operationId": "confirm_bridge", "summary": "Agree to a bridge on behalf of your community",
        "parameters": [id_param("bridge_id")], "responses": responses("200", ref("Bridge"), 403, 404)}},
    "/spaces/{space_id}/glossary": {"get": {
        "operationId": "get_space_glossary", "summary": "Every term and bridge that matters in a space",
        "parameters": [id_param("space_id")], "responses": responses("200", {"type": "object", "properties": {
            "space_id": {"type": "integer"}, "terms": {"type": "array", "items": ref("Term")},
            "bridges": {"type": "array", "items": ref("Bridge")}}}, 404)}},
    "/spaces/{space_id}/jargon-hints": {"post": {
        "operationId": "get_jargon_hints",
        "summary": "Gentle hints for text being written: others' loaded terms, false friends, unknown acronyms",
        "parameters": [id_param("space_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 100000}}}}}},
        "responses": responses("200", {"type": "object", "properties": {
            "items": {"type": "array", "items": ref("JargonHint")}, "reading_as": {"type": ["integer", "null"]}}},
            404, 422)}},
}, schemas={"Term": TERM, "Bridge": BRIDGE, "TermInput": TERM_INPUT, "TermPatch": TERM_PATCH,
            "BridgeInput": BRIDGE_INPUT, "JargonHint": HINT})
