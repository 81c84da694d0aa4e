"""JSON shape of a comment: the API and the live events share it.

`html` is the body rendered by the one sanitiser with mentions linked, but without the reader's
glossary marks (those depend on who reads): pages re-fetch a thread's fragment for their reader.
"""
import base64

from workspace.comments.rendering import body_html


def _person(user) -> dict | None:
    return None if user is None else {"user_id": user.id, "display_name": user.display_name}


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def comment_payload(comment, *, replies: bool = False) -> dict:
    body = {
        "id": comment.id, "space_id": comment.space_id, "target": comment.target_kind,
        "document_id": comment.document_id, "card_id": comment.card_id, "parent_id": comment.parent_id,
        "thread_id": comment.parent_id or comment.id,
        "author": _person(comment.author),
        "body": comment.body, "html": str(body_html(comment)),
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "revisions": len(comment.revisions),
        "deleted": comment.is_deleted,
        "deleted_at": comment.deleted_at.isoformat() if comment.deleted_at else None,
        "mentions": [{"label": m.label, "user_id": m.user_id, "community_id": m.community_id}
                     for m in comment.mentions],
        "card": _made_card(comment),
        # moderation (issue 10): a hidden comment's words are not sent; the reason is
        "hidden": comment.is_hidden, "hidden_note": comment.hidden_note,
    }
    if comment.is_hidden:
        body["body"] = ""
    if comment.parent_id is None:
        body["resolved"] = comment.resolved_at is not None
        body["resolved_at"] = comment.resolved_at.isoformat() if comment.resolved_at else None
        body["resolved_by"] = _person(comment.resolved_by)
    if comment.document_id is not None:
        body["anchor"] = {"start": _b64(comment.anchor_start), "end": _b64(comment.anchor_end),
                          "quote": comment.quote}
    if replies:
        body["replies"] = [comment_payload(r) for r in comment.replies]
    return body


def _made_card(comment) -> dict | None:
    card = comment.created_card
    if card is None:
        return None
    return {"id": card.id, "title": card.title, "board_id": card.board_id, "column_id": card.column_id,
            "column": card.column.title, "archived": card.is_archived, "url": f"/cards/{card.id}"}


def revision_payload(revision) -> dict:
    return {"body": revision.body, "written_at": revision.written_at.isoformat(),
            "edited_at": revision.edited_at.isoformat(), "edited_by": _person(revision.edited_by)}
