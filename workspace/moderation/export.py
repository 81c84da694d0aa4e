"""A person's own moderation data for their export: the flags they raised, their appeals, their mutes."""
from sqlalchemy import select

from workspace.extensions import db
from workspace.moderation.models import REASONS, ModerationFlag, ModerationItem, SpaceMute
from workspace.privacy import Section, exporter


@exporter("moderation")
def export_moderation(user) -> Section:
    flags = db.session.scalars(select(ModerationFlag).where(ModerationFlag.flagger_id == user.id)).all()
    appeals = db.session.scalars(select(ModerationItem).where(ModerationItem.author_id == user.id,
                                                              ModerationItem.appealed_at.is_not(None))).all()
    mutes = db.session.scalars(select(SpaceMute).where(SpaceMute.user_id == user.id)).all()
    data = {
        "flags": [{"kind": f.item.content_kind, "id": f.item.content_id, "reason": f.reason, "note": f.note,
                   "created_at": f.created_at} for f in flags],
        "appeals": [{"kind": i.content_kind, "id": i.content_id, "text": i.appeal_text, "appealed_at": i.appealed_at,
                     "outcome": i.appeal_status, "why": i.appeal_reason} for i in appeals],
        "mutes": [{"space_id": m.space_id, "reason": m.reason, "until": m.until} for m in mutes],
    }
    lines = [f"- Flagged a {f['kind']} ({REASONS.get(f['reason'], f['reason'])})" for f in data["flags"]]
    lines += [f"- Appealed a hide of your {a['kind']}: {a['outcome']}" for a in data["appeals"]]
    lines += [f"- Muted in space {m['space_id']} until {m['until']:%d %B %Y %H:%M}: {m['reason']}" for m in data["mutes"]]
    return Section(data, "# Moderation\n\n" + ("".join(line + "\n" for line in lines) or "_Nothing yet._\n"))
