"""JSON shapes of terms, their history, and bridges."""


def term_json(term) -> dict:
    return {"id": term.id, "community_id": term.community_id, "term": term.term,
            "aliases": list(term.aliases or []), "definition": term.definition, "example": term.example,
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
