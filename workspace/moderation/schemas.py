"""JSON shapes of queue items, flags and log entries (the API and the live queue share them)."""
from workspace.moderation.kinds import KINDS
from workspace.moderation.models import REASONS


def _community(community) -> dict | None:
    return None if community is None else {"id": community.id, "name": community.name}


def flag_payload(flag) -> dict:
    """For moderators only: who flagged is never shown to anyone else."""
    return {"id": flag.id, "reason": flag.reason, "reason_label": REASONS[flag.reason], "note": flag.note,
            "flagger": {"user_id": flag.flagger_id, "display_name": flag.flagger.display_name},
            "flagger_community": _community(flag.flagger_community), "created_at": flag.created_at.isoformat()}


def item_summary(item) -> dict:
    kind = KINDS[item.content_kind]
    obj = kind.load(item.content_id)
    return {
        "id": item.id, "space_id": item.space_id, "kind": item.content_kind, "content_id": item.content_id,
        "status": item.status, "url": kind.url_of(obj) if obj is not None else None,
        "text": kind.text_of(obj) if obj is not None else "",
        "author": None if item.author is None else {"user_id": item.author.id,
                                                     "display_name": item.author.display_name},
        "author_community": _community(item.author_community),
        "hidden_reason": item.hidden_reason, "hidden_by_community": _community(item.hidden_by_community),
        "review_status": item.review_status, "review_reason": item.review_reason,
        "appeal_status": item.appeal_status, "appeal_text": item.appeal_text,
        "appeal_community": _community(item.appeal_community), "appeal_reason": item.appeal_reason,
        "flags": [flag_payload(f) for f in item.flags],
        "updated_at": item.updated_at.isoformat(),
    }


def log_payload(entry) -> dict:
    """One moderation log entry: what, by whom (name and community), when and why; never a flagger."""
    detail = entry.detail or {}
    return {"id": entry.id, "action": entry.action.removeprefix("moderation.").replace("_", " "),
            "actor": None if entry.actor is None else entry.actor.display_name,
            "community": detail.get("community"), "reason": detail.get("reason", ""),
            "kind": detail.get("kind"), "content_id": detail.get("content_id"), "member": detail.get("member"),
            "created_at": entry.created_at.isoformat()}
