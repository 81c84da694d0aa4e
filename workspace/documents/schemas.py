"""JSON shapes of documents, versions and the endorsement record."""
from workspace.documents import services


def version_json(version) -> dict:
    return {"id": version.id, "number": version.number, "note": version.note, "kind": version.kind,
            "created_by": version.created_by.display_name, "created_at": version.created_at.isoformat()}


def document_json(document, *, detail: bool = False) -> dict:
    body = services.document_summary(document)
    body["created_at"] = document.created_at.isoformat()
    if detail:
        text = services.current_text(document)
        body["text"] = text
        body["proposed_version"] = version_json(document.proposed_version) if document.proposed_version else None
        body["adopted_version"] = version_json(document.adopted_version) if document.adopted_version else None
        body["endorsement_record"] = services.endorsement_record(document, text=text)
    return body
