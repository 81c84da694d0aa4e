"""Write audit rows in the same transaction as the action they record."""
from workspace.audit.models import AuditEntry
from workspace.extensions import db


def record(action: str, *, actor, target, space_id: int | None = None, **detail) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action,
                       target_type=type(target).__name__.lower(), target_id=target.id,
                       space_id=space_id, detail=detail)
    db.session.add(entry)
    return entry
