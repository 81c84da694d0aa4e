"""JSON shapes of terms, their history, and bridges."""
from workspace.glossary.annotate import text_content
from workspace.sanitize import render_markdown


def plain_text(markdown: str | None) -> str:
    """What a reader sees of a Markdown text, without its markup ("*person we support*" → "person we support")."""
    return " ".join(text_content(render_markdown(markdown or "")).split())


def term_json(term) -> dict:
    return {"id": term.id, "community_id": term.community_id, "term": term.term,
            "aliases": list(term.aliases or []), "definition": term.definition,
            "definition_text": plain_text(term.definition),  # for popovers that show text, not HTML
            "example": term.example,
            "status": term.status, "loaded_note": term.loaded_note, "approved": term.approved,
            "version": term.version, "updated_at": term.updated_at.isoformat()}


def revision_json(revision) -> dict:
    return {"id": revision.id, "term_id": revision.term_id, "state": revision.state, "summary": revision.summary,
            "actor_id": revision.actor_id, "created_at": revision.created_at.isoformat(), **revision.fields}


def bridge_json(bridge) -> dict:
    return {"id": bridge.id, "from_term_id": bridge.from_term_id, "to_term_id": bridge.to_term_id,
            "relation": bridge.relation, "note": bridge.note, "status": bridge.status,
            "confirmed_by_community_ids": sorted(c.community_id for c in bridge.confirmations),
            "dispute_reason": bridge.dispute_reason or None}
