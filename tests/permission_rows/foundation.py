"""Permission rows for the foundation: accounts, communities, spaces."""
from sqlalchemy import select

from tests.conftest import OUTSIDER
from tests.permission_rows.actors import (ALL, NON_MEMBERS_OF_SOCIAL_WORK, SIGNED_IN, STEWARD, VIEWERS)
from workspace.accounts import services as accounts
from workspace.communities import services as communities
from workspace.extensions import db
from workspace.spaces import services as spaces
from workspace.spaces.models import Space

# (endpoint, method) -> (path template, who is allowed)
TABLE = {
    ("static", "GET"): ("/static/css/app.css", ALL),
    ("pages.favicon", "GET"): ("/favicon.ico", ALL),
    ("pages.home", "GET"): ("/", ALL),
    ("accounts.register", "GET"): ("/register", ALL),
    ("accounts.register", "POST"): ("/register", ALL),
    ("accounts.login", "GET"): ("/login", ALL),
    ("accounts.login", "POST"): ("/login", ALL),
    ("accounts.logout", "POST"): ("/logout", ALL),
    ("accounts.request_password_reset", "GET"): ("/password-reset", ALL),
    ("accounts.request_password_reset", "POST"): ("/password-reset", ALL),
    ("accounts.reset_password", "GET"): ("/password-reset/not-a-real-token", ALL),
    ("accounts.reset_password", "POST"): ("/password-reset/not-a-real-token", ALL),
    ("accounts.profile", "GET"): ("/profile", SIGNED_IN),
    ("accounts.profile", "POST"): ("/profile", SIGNED_IN),
    ("accounts.create_token", "POST"): ("/profile/tokens", SIGNED_IN),
    ("accounts.revoke_token", "POST"): ("/profile/tokens/{sam_token}/revoke", {"moderator"}),
    ("communities.list_communities", "GET"): ("/communities", SIGNED_IN),
    ("communities.create_community", "GET"): ("/communities/new", {"admin"}),
    ("communities.create_community", "POST"): ("/communities/new", {"admin"}),
    ("communities.show_community", "GET"): ("/communities/social-work", SIGNED_IN),
    ("communities.create_invitation", "POST"): ("/communities/social-work/invitations", STEWARD),
    ("communities.revoke_invitation", "POST"): (
        "/communities/social-work/invitations/{invitation}/revoke", STEWARD),
    ("communities.accept_invitation", "GET"): ("/invite/{invitation_secret}", SIGNED_IN),
    ("communities.accept_invitation", "POST"): ("/invite/{invitation_secret}", SIGNED_IN),
    ("communities.request_to_join", "POST"): ("/communities/social-work/join-requests", NON_MEMBERS_OF_SOCIAL_WORK),
    ("communities.decide_join_request", "POST"): ("/join-requests/{join_request}/approve", STEWARD),
    # first use (issue 8): only the person who asked withdraws a join request
    ("communities.withdraw_join_request", "POST"): ("/join-requests/{join_request}/withdraw", {"outsider"}),
    ("communities.set_member_role", "POST"): ("/communities/social-work/members/{maria}/role", STEWARD),
    ("spaces.list_spaces", "GET"): ("/spaces", SIGNED_IN),
    ("spaces.propose_space", "GET"): ("/spaces/new", {"moderator"}),
    ("spaces.propose_space", "POST"): ("/spaces/new", {"moderator"}),
    ("spaces.show_space", "GET"): ("/spaces/{space}", VIEWERS),
    ("spaces.accept_space", "POST"): ("/spaces/{proposed}/accept", {"moderator"}),
    ("spaces.join_space", "POST"): ("/spaces/{space}/join", {"not_joined"}),
    ("spaces.archive_space", "POST"): ("/spaces/{space}/archive", STEWARD),
    ("api.get_openapi", "GET"): ("/api/v1/openapi.json", ALL),
    ("api.get_me", "GET"): ("/api/v1/me", SIGNED_IN),
    ("api.list_communities", "GET"): ("/api/v1/communities", SIGNED_IN),
    ("api.get_community", "GET"): ("/api/v1/communities/{social_work}", SIGNED_IN),
    ("api.request_to_join", "POST"): ("/api/v1/communities/{social_work}/join-requests", NON_MEMBERS_OF_SOCIAL_WORK),
    ("api.withdraw_join_request", "POST"): ("/api/v1/join-requests/{join_request}/withdraw", {"outsider"}),
    ("api.list_spaces", "GET"): ("/api/v1/spaces", SIGNED_IN),
    ("api.propose_space", "POST"): ("/api/v1/spaces", {"moderator"}),
    ("api.get_space", "GET"): ("/api/v1/spaces/{space}", VIEWERS),
    ("api.accept_space", "POST"): ("/api/v1/spaces/{proposed}/accept", {"moderator"}),
    ("api.join_space", "POST"): ("/api/v1/spaces/{space}/join", {"not_joined"}),
    ("api.archive_space", "POST"): ("/api/v1/spaces/{space}/archive", STEWARD),
}

# Socket events: who may send them about the space (connecting at all needs an account).
# event -> (payload, who may send it); {name} placeholders come from build().
SOCKET_TABLE = {
    "join_space": ({"space_id": "{space}"}, VIEWERS),
    "leave_space": ({"space_id": "{space}"}, VIEWERS),
}




def build() -> dict:
    """Objects the rows point at, created inside the test's rolled-back transaction (app context)."""
    find = accounts.find_user_by_email
    sam, priya = find("sam@socialwork.test"), find("priya@psychiatry.test")
    social_work = communities.find_community("social-work")
    psychiatry = communities.find_community("psychiatry")
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    proposed = spaces.propose_space(proposing=psychiatry, invited=[social_work], title="A proposal",
                                    purpose="To test consent.", actor=priya)
    invitation, secret = communities.create_invitation(social_work, actor=sam)
    join_request = communities.request_to_join(social_work, actor=find(OUTSIDER))
    token, _ = accounts.create_api_token(sam, name="sam's script")
    return {"space": space.id, "proposed": proposed.id, "invitation": invitation.id,
            "invitation_secret": secret, "join_request": join_request.id, "sam_token": token.id,
            "maria": find("maria@socialwork.test").id, "social_work": social_work.id}
