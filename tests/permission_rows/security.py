"""Permission rows for issue 12: operations endpoints, one's own sessions and one's own data."""
from tests.permission_rows.actors import ALL, SIGNED_IN
from workspace.accounts import services as accounts

TABLE = {
    ("operations.healthz", "GET"): ("/healthz", ALL),
    ("operations.readyz", "GET"): ("/readyz", ALL),
    # Browsers post violation reports without cookies or CSRF tokens: anyone may, rate-limited.
    ("operations.report_csp_violation", "POST"): ("/csp-reports", ALL),
    # One's own sessions: the table's session belongs to Sam, so only Sam (moderator) may end it.
    ("sessions.end_session", "POST"): ("/profile/sessions/{sam_session}/end", {"moderator"}),
    ("sessions.end_other_sessions", "POST"): ("/profile/sessions/end-others", SIGNED_IN),
    ("sessions.change_password", "GET"): ("/profile/password", SIGNED_IN),
    # An empty form is refused beside its fields (422): allowed, and nothing changes.
    ("sessions.change_password", "POST"): ("/profile/password", SIGNED_IN),
    # One's own data: everyone signed in takes their own; an empty delete form is refused (422).
    ("privacy.export_data", "GET"): ("/profile/export", SIGNED_IN),
    ("privacy.delete_account", "GET"): ("/profile/delete", SIGNED_IN),
    ("privacy.delete_account", "POST"): ("/profile/delete", SIGNED_IN),
}


def build() -> dict:
    """A signed-in session of Sam's (another browser of his)."""
    sam = accounts.find_user_by_email("sam@socialwork.test")
    accounts.start_login_session(sam, user_agent="Firefox on the permission table")
    login = accounts.login_session_for(sam.login_token)
    sam.login_token = None
    return {"sam_session": login.id}
