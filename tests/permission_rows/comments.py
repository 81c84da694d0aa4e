"""Permission rows for comments (issue 9): viewers read, joined members of an active space comment and
resolve, only authors edit and delete their own."""
from sqlalchemy import select

from tests.permission_rows.actors import VIEWERS
from workspace.accounts.services import find_user_by_email
from workspace.boards import services as boards
from workspace.boards.demo import REFERRAL_TITLE, find_board
from workspace.comments import services
from workspace.extensions import db
from workspace.spaces.models import Space

WRITERS = {"participant", "moderator"}  # joined members of "Referral guidelines"; the admin only watches
AUTHOR = {"participant"}  # Omar wrote the comment the rows edit and delete

TABLE = {
    ("comments.create_space_comment", "POST"): ("/spaces/{comment_space}/comments", WRITERS),
    ("comments.create_card_comment", "POST"): ("/cards/{comment_card}/comments", WRITERS),
    ("comments.reply_to_comment", "POST"): ("/comments/{comment}/replies", WRITERS),
    ("comments.edit_comment", "POST"): ("/comments/{comment}/edit", AUTHOR),
    ("comments.delete_comment", "POST"): ("/comments/{comment}/delete", AUTHOR),
    ("comments.resolve_thread", "POST"): ("/comments/{comment}/resolve", WRITERS),
    ("comments.reopen_thread", "POST"): ("/comments/{comment}/reopen", WRITERS),
    ("comments.make_card", "POST"): ("/comments/{comment}/card", WRITERS),
    ("comments.show_thread", "GET"): ("/comments/{comment}/thread", VIEWERS),
    ("comments.reader_bodies", "GET"): ("/comments/bodies?card={comment_card}&mode=mine", VIEWERS),
    ("api.list_space_comments", "GET"): ("/api/v1/spaces/{comment_space}/comments", VIEWERS),
    ("api.create_space_comment", "POST"): ("/api/v1/spaces/{comment_space}/comments", WRITERS),
    ("api.list_card_comments", "GET"): ("/api/v1/cards/{comment_card}/comments", VIEWERS),
    ("api.create_card_comment", "POST"): ("/api/v1/cards/{comment_card}/comments", WRITERS),
    ("api.update_comment", "PATCH"): ("/api/v1/comments/{comment}", AUTHOR),
    ("api.delete_comment", "DELETE"): ("/api/v1/comments/{comment}", AUTHOR),
    ("api.reply_to_comment", "POST"): ("/api/v1/comments/{comment}/replies", WRITERS),
    ("api.resolve_thread", "POST"): ("/api/v1/comments/{comment}/resolve", WRITERS),
    ("api.reopen_thread", "POST"): ("/api/v1/comments/{resolved_comment}/reopen", WRITERS),
    ("api.comment_to_card", "POST"): ("/api/v1/comments/{comment}/card", WRITERS),
}

SOCKET_TABLE = {
    "create_comment": ({"space_id": "{comment_space}", "body": "From the socket"}, WRITERS),
}


def build() -> dict:
    """A thread by Omar (participant) in "Referral guidelines", and a resolved one, on its demo board."""
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    omar = find_user_by_email("omar@psychiatry.test")
    board = find_board(REFERRAL_TITLE)
    card = boards.open_cards(board)[0]
    comment = services.create_comment(space=space, actor=omar, body="Permission rows: a thread")
    resolved = services.create_comment(space=space, actor=omar, body="Permission rows: resolved")
    services.resolve_thread(resolved, actor=omar)
    return {"comment_space": space.id, "comment_card": card.id, "comment": comment.id, "resolved_comment": resolved.id}
