"""Who has a document open right now, with their role and communities."""
from workspace import policy
from workspace.documents.models import Document
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.presence import services as presence
from workspace.spaces.services import member_community_names


def enter_document(document: Document, *, sid: str, user) -> None:
    presence.enter(room_for(document), sid=sid, user=user)


def leave_document(document: Document, *, sid: str) -> None:
    presence.leave(room_for(document), sid=sid)


def present_in(document: Document) -> list[dict]:
    return [{"user_id": u.id, "display_name": u.display_name,
             "communities": [c.name for c in member_community_names(document.space, u)],
             "role": "editor" if policy.can_edit_document(u, document) else "viewer"}
            for u in presence.users_in(room_for(document))]


def _announce(room: str) -> None:
    document = db.session.get(Document, int(room.split(":", 1)[1]))
    if document is not None:
        publish("document_presence_changed", {"document_id": document.id, "present": present_in(document)},
                room=room)


presence.register_announcer("document", _announce)
