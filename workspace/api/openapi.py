"""The OpenAPI 3.1 description of API v1; a test keeps it in step with the routes."""
from workspace.api import bp

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def responses(ok_status: str, ok_schema: dict, *errors: int) -> dict:
    responses = {ok_status: {"description": "Success", "content": {"application/json": {"schema": ok_schema}}}}
    reasons = {401: "Not signed in, or the token is unknown or revoked", 403: "Refused by policy",
               404: "Unknown, or not visible to you", 409: "Based on a stale version", 422: "Invalid input"}
    for status in (401, *errors):
        responses[str(status)] = {"description": reasons[status],
                                  "content": {"application/problem+json": {"schema": PROBLEM}}}
    return responses


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str) -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": ref(name)}}}


def id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


SPACE_ID = [id_param("space_id")]

PATHS = {
    "/me": {"get": {"operationId": "get_me", "summary": "The caller's account and communities",
                    "responses": responses("200", ref("Me"))}},
    "/communities": {"get": {"operationId": "list_communities", "summary": "The community directory",
                             "responses": responses("200", list_of("Community"))}},
    "/communities/{community_id}": {"get": {
        "operationId": "get_community", "summary": "A community with its members",
        "parameters": [id_param("community_id")], "responses": responses("200", ref("Community"), 404)}},
    "/spaces": {
        "get": {"operationId": "list_spaces", "summary": "The spaces the caller can see",
                "responses": responses("200", list_of("Space"))},
        "post": {"operationId": "propose_space", "summary": "Propose a space to other communities (stewards)",
                 "requestBody": body("SpaceProposal"), "responses": responses("201", ref("Space"), 403, 422)}},
    "/spaces/{space_id}": {"get": {"operationId": "get_space", "summary": "A space, its communities and members",
                                   "parameters": SPACE_ID, "responses": responses("200", ref("Space"), 404)}},
    "/spaces/{space_id}/accept": {"post": {
        "operationId": "accept_space", "summary": "Accept a proposal for the communities you steward",
        "parameters": SPACE_ID, "responses": responses("200", ref("Space"), 403, 404)}},
    "/spaces/{space_id}/join": {"post": {
        "operationId": "join_space", "summary": "Join an active space, accepting its ground rules",
        "parameters": SPACE_ID, "requestBody": body("JoinSpace"),
        "responses": responses("200", ref("Space"), 403, 404, 422)}},
    "/spaces/{space_id}/archive": {"post": {
        "operationId": "archive_space", "summary": "Archive a space (moderators): it becomes read-only",
        "parameters": SPACE_ID, "responses": responses("200", ref("Space"), 403, 404)}},
    "/openapi.json": {"get": {"operationId": "get_openapi", "summary": "This document", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
}

COMMUNITY = {"type": "object", "required": ["id", "name", "slug", "colour"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"},
    "description": {"type": "string"}, "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    "members": {"type": "array", "items": {"type": "object"}}}}

SCHEMAS = {
    "Problem": {"type": "object", "description": "RFC 9457 problem details", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "For 422: each offending field with its message"},
        # issue 12: the id of the request in the server's log; quote it when reporting a problem
        "request_id": {"type": "string", "description": "This request's id in the server log"}}},
    "Community": COMMUNITY,
    "Me": {"type": "object", "properties": {
        "id": {"type": "integer"}, "email": {"type": "string"}, "display_name": {"type": "string"},
        "is_admin": {"type": "boolean"}, "communities": {"type": "array", "items": {"type": "object", "properties": {
            "community": ref("Community"), "role": {"type": "string", "enum": ["member", "steward"]}}}}}},
    "Space": {"type": "object", "required": ["id", "title", "status", "communities"], "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "purpose": {"type": "string"},
        "status": {"type": "string", "enum": ["proposed", "active", "archived", "declined"]},
        "created_at": {"type": "string", "format": "date-time"}, "ground_rules": {"type": "string"},
        "communities": {"type": "array", "items": {"type": "object"}},
        "members": {"type": "array", "items": {"type": "object", "properties": {
            "user_id": {"type": "integer"}, "display_name": {"type": "string"},
            "role": {"type": "string", "enum": ["participant", "moderator"]},
            "communities": {"type": "array", "items": {"type": "string"}}}}}}},
    "SpaceProposal": {"type": "object", "required": ["proposing_community_id", "community_ids", "title", "purpose"],
                      "properties": {
                          "proposing_community_id": {"type": "integer"},
                          "community_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
                          "title": {"type": "string", "maxLength": 120},
                          "purpose": {"type": "string", "maxLength": 20000},
                          "ground_rules": {"type": "string", "maxLength": 20000}}},
    "JoinSpace": {"type": "object", "required": ["accept_ground_rules"],
                  "properties": {"accept_ground_rules": {"type": "boolean", "const": True}}},
}


def describe(*, paths: dict, schemas: dict | None = None) -> None:
    """Add a domain's operations and schemas; each domain's api.py calls this beside its routes."""
    clash = set(paths) & set(PATHS)
    if clash:
        raise ValueError(f"OpenAPI paths described twice: {sorted(clash)}")
    PATHS.update(paths)
    SCHEMAS.update(schemas or {})


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene API", "version": "1.0.0",
                 "description": "Spaces where communities of practice work together. Authenticate with "
                                "`Authorization: Bearer TOKEN` (create a token on your profile page)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def get_openapi():
    return document()
