"""Permission rows for the notification centre: your own notices, your level in spaces you can see,
and unsubscribe links that work signed out (the signed token is the permission)."""
from tests.permission_rows.actors import ALL, SIGNED_IN, VIEWERS
from workspace.accounts import services as accounts
from workspace.notices import digests
from workspace.spaces.models import Space
from workspace.extensions import db

TABLE = {
    ("notices.set_notice_level", "POST"): ("/spaces/{space}/notification-level", VIEWERS),
    ("notices.set_notice_email", "POST"): ("/notices/email", SIGNED_IN),
    ("notices.unsubscribe", "GET"): ("/notices/unsubscribe/{unsubscribe_token}", ALL),
    ("notices.unsubscribe", "POST"): ("/notices/unsubscribe/{unsubscribe_token}", ALL),
    ("api.list_notices", "GET"): ("/api/v1/notices", SIGNED_IN),
    ("api.mark_notices_read", "POST"): ("/api/v1/notices/read", SIGNED_IN),
    ("api.set_notification_level", "PUT"): ("/api/v1/spaces/{space}/notification-level", VIEWERS),
}

SOCKET_TABLE = {}  # the per-person room is joined on connect; notices add no client→server event


def build() -> dict:
    """A genuine unsubscribe link of María's for "Referral guidelines"."""
    space = db.session.scalar(db.select(Space).where(Space.title == "Referral guidelines"))
    maria = accounts.find_user_by_email("maria@socialwork.test")
    return {"unsubscribe_token": digests.unsubscribe_token(maria.id, space.id)}
