"""Who may do what: the one place Convene decides, used by routes, the API, sockets and templates.

Each rule is a small predicate `can_<verb>_<noun>(user, obj)`; `require` turns a refusal into the
right error. Templates call the same predicates, so a button is hidden exactly when the action
would be refused.
"""
from sqlalchemy import select

from workspace.communities.models import STEWARD, Membership
from workspace.documents.models import DRAFTING, IN_REVIEW
from workspace.errors import Forbidden, NotAuthenticated, NotFound
from workspace.extensions import db
from workspace.spaces.models import ACCEPTED, ACTIVE, INVITED, MODERATOR, PROPOSED


def is_signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user) -> bool:
    return is_signed_in(user) and user.is_admin


def community_role(user, community) -> str | None:
    """The user's role in a community ("member", "steward") or None."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(select(Membership.role).where(
        Membership.user_id == user.id, Membership.community_id == community.id))


def community_ids_of(user, *, role: str | None = None) -> set[int]:
    if not is_signed_in(user):
        return set()
    query = select(Membership.community_id).where(Membership.user_id == user.id)
    if role:
        query = query.where(Membership.role == role)
    return set(db.session.scalars(query))


def is_steward(user, community) -> bool:
    return community_role(user, community) == STEWARD


def space_member(user, space):
    if not is_signed_in(user):
        return None
    return next((m for m in space.members if m.user_id == user.id), None)


# --- accounts -------------------------------------------------------------------------------

def can_view_profile(user) -> bool:
    return is_signed_in(user)


def can_manage_token(user, token) -> bool:
    return is_signed_in(user) and token.user_id == user.id


# --- communities ----------------------------------------------------------------------------

def can_create_community(user) -> bool:
    return is_admin(user)


def can_view_community(user, community) -> bool:
    """Communities form a public directory for signed-in people, so they can ask to join."""
    return is_signed_in(user)


def can_manage_community(user, community) -> bool:
    """Stewards (and site admins) invite, approve join requests and keep the glossary."""
    return is_admin(user) or is_steward(user, community)


def can_request_to_join(user, community) -> bool:
    return is_signed_in(user) and community_role(user, community) is None


def can_use_invitation(user, invitation) -> bool:
    return can_request_to_join(user, invitation.community)


# --- first use (issue 8): join requests -----------------------------------------------------

def can_withdraw_join_request(user, join_request) -> bool:
    """Only the person who asked takes their request back."""
    return is_signed_in(user) and join_request.user_id == user.id


# --- spaces ---------------------------------------------------------------------------------

def can_propose_space(user, community=None) -> bool:
    """A steward proposes a space on behalf of a community they steward."""
    if community is None:
        return bool(community_ids_of(user, role=STEWARD))
    return is_steward(user, community)


def can_view_space(user, space) -> bool:
    if is_admin(user):
        return True
    mine = community_ids_of(user)
    return any(link.community_id in mine for link in space.convened)


def can_accept_space(user, space) -> bool:
    """A steward of a community that has not yet accepted the proposal may accept it."""
    if space.status != PROPOSED:
        return False
    stewarded = community_ids_of(user, role=STEWARD)
    return any(link.status == INVITED and link.community_id in stewarded for link in space.convened)


def can_join_space(user, space) -> bool:
    if space.status != ACTIVE or space_member(user, space) is not None:
        return False
    mine = community_ids_of(user)
    return any(link.status == ACCEPTED and link.community_id in mine for link in space.convened)


def can_participate_in_space(user, space) -> bool:
    """Joined members write in an active space; an archived space is read-only for everyone."""
    return space.status == ACTIVE and space_member(user, space) is not None


def can_moderate_space(user, space) -> bool:
    """Appointed moderators and, by default, the stewards of each convened community (issue 10)."""
    return space.status == ACTIVE and (is_admin(user) or is_space_moderator(user, space))


def can_archive_space(user, space) -> bool:
    return can_moderate_space(user, space)


# --- documents (joint responses) ----------------------------------------------------------

def can_view_document(user, document) -> bool:
    return can_view_space(user, document.space)


def can_create_document(user, space) -> bool:
    return can_participate_in_space(user, space)


def can_edit_document(user, document) -> bool:
    """Joined members edit while drafting or in review; adoption, withdrawal or archiving freezes it."""
    return document.status in (DRAFTING, IN_REVIEW) and can_participate_in_space(user, document.space)


def can_propose_document(user, document) -> bool:
    """Moving to review (freezing a proposed version) is an editor's action."""
    return can_edit_document(user, document)


def endorsing_communities(user, document) -> list:
    """The convened communities this user may speak for on this document (as their steward)."""
    if document.status != IN_REVIEW or document.space.status != ACTIVE:
        return []
    stewarded = community_ids_of(user, role=STEWARD)
    return [link.community for link in document.space.convened if link.community_id in stewarded]


def can_endorse_document(user, document) -> bool:
    return bool(endorsing_communities(user, document))


def can_withdraw_document(user, document) -> bool:
    return document.status in (DRAFTING, IN_REVIEW) and (
        can_moderate_space(user, document.space) or
        (document.created_by_id == getattr(user, "id", None) and can_participate_in_space(user, document.space)))
# --- glossary -------------------------------------------------------------------------------

def can_view_glossary(user, community) -> bool:
    """Glossaries explain a community to outsiders, so every signed-in person may read them."""
    return is_signed_in(user)


def can_view_term(user, term) -> bool:
    """Approved terms are public to signed-in people; a proposal only to its community (and admins)."""
    return is_signed_in(user) and (term.approved or can_propose_term(user, term.community))


def can_propose_term(user, community) -> bool:
    """Members propose terms (and edits); stewards and site admins too."""
    return is_admin(user) or community_role(user, community) is not None


def can_edit_terms_directly(user, community) -> bool:
    """Stewards edit at once; members too when the community's setting lets them."""
    if can_manage_community(user, community):
        return True
    from workspace.glossary.models import GlossarySettings
    settings = db.session.get(GlossarySettings, community.id)
    return community_role(user, community) is not None and bool(settings and settings.members_edit_directly)


def can_edit_term(user, term) -> bool:
    return can_propose_term(user, term.community)


def can_review_terms(user, community) -> bool:
    """Approve or reject members' proposals, change glossary settings, import: stewards' work."""
    return can_manage_community(user, community)


def _bridge_spaces(user, community_ids: set[int]):
    from workspace.spaces.models import Space, SpaceCommunity, SpaceMember
    if not is_signed_in(user):
        return []
    query = select(Space).join(SpaceMember).where(SpaceMember.user_id == user.id, Space.status == ACTIVE)
    for cid in community_ids:
        query = query.where(Space.id.in_(select(SpaceCommunity.space_id).where(SpaceCommunity.community_id == cid)))
    return list(db.session.scalars(query))


def can_propose_bridges(user) -> bool:
    """Anyone who has joined an active space (every space convenes two communities or more)."""
    return bool(_bridge_spaces(user, set()))


def can_propose_bridge(user, from_term, to_term) -> bool:
    """Anyone in an active space that convenes both terms' communities."""
    return bool(_bridge_spaces(user, {from_term.community_id, to_term.community_id}))


def can_propose_bridge_in_space(user, space) -> bool:
    return can_participate_in_space(user, space)


def can_confirm_bridge(user, bridge) -> bool:
    """A member of one of the two communities whose side has not agreed yet."""
    done = {c.community_id for c in bridge.confirmations}
    mine = community_ids_of(user)
    return any(cid in mine and cid not in done for cid in bridge.community_ids)


def can_dispute_bridge(user, bridge) -> bool:
    mine = community_ids_of(user)
    return any(cid in mine for cid in bridge.community_ids)


def can_remove_bridge(user, bridge) -> bool:
    return is_admin(user) or bool(community_ids_of(user, role=STEWARD) & set(bridge.community_ids))


def can_view_space_glossary(user, space) -> bool:
    return can_view_space(user, space)


def can_view_candidate_terms(user, space) -> bool:
    """Possible jargon is offered to the stewards of the space's communities."""
    if not can_view_space(user, space):
        return False
    return is_admin(user) or bool(community_ids_of(user, role=STEWARD) & {l.community_id for l in space.convened})


def can_set_reading_preference(user) -> bool:
    return is_signed_in(user)


# --- boards ---------------------------------------------------------------------------------

def can_view_board(user, board) -> bool:
    """Anyone who may see the space may watch its boards."""
    return can_view_space(user, board.space)


def can_create_board(user, space) -> bool:
    return can_participate_in_space(user, space)


def can_change_board(user, board) -> bool:
    """Columns, cards, moves, checklists: joined members of an active space; viewers only watch."""
    return can_participate_in_space(user, board.space)


# --- notices --------------------------------------------------------------------------------

def can_view_notices(user) -> bool:
    """Everyone signed in has their own notices, and only their own."""
    return is_signed_in(user)


# --- notifications: levels per space (notices feature) --------------------------------------

def can_set_notice_level(user, space) -> bool:
    """Anyone who may see a space hears from it, so may choose how much (watching, normal, muted)."""
    return is_signed_in(user) and can_view_space(user, space)

# --- comments (issue 9) ----------------------------------------------------------------------

def can_view_comment(user, comment) -> bool:
    """Whoever may see the space sees its discussion, its cards' and its documents' comments."""
    return can_view_space(user, comment.space)


def can_comment(user, space) -> bool:
    """Joined members while the space is active; an adopted document can still be discussed."""
    return can_participate_in_space(user, space)


def can_edit_comment(user, comment) -> bool:
    """Authors edit their own comments (not a tombstone) while they may still comment."""
    return (is_signed_in(user) and comment.author_id == user.id and not comment.is_deleted
            and not comment.is_hidden  # moderation (issue 10): a hidden comment is appealed, not rewritten
            and can_comment(user, comment.space))


def can_delete_comment(user, comment) -> bool:
    """Authors delete their own comments; moderation (hiding others') is another issue's work."""
    return can_edit_comment(user, comment)


def can_resolve_thread(user, comment) -> bool:
    """Any member who may comment resolves or reopens a thread."""
    return can_comment(user, comment.space)


def can_comment_to_card(user, comment, board) -> bool:
    """Turning a comment into a card is a card creation on that board."""
    return can_view_comment(user, comment) and can_change_board(user, board)


# --- moderation (issue 10) ------------------------------------------------------------------
# Moderators come from every convened community: its stewards by default, plus members a steward appoints.

def moderator_communities(user, space) -> list:
    """The convened (accepted) communities `user` moderates this space for; empty if none."""
    if not is_signed_in(user):
        return []
    accepted = [link.community for link in space.convened if link.status == ACCEPTED]
    stewarded = community_ids_of(user, role=STEWARD) if user.id not in stewards_removed_as_moderators(space) else set()
    mine = [c for c in accepted if c.id in stewarded]
    member = space_member(user, space)
    if member is not None and member.role == MODERATOR:
        belongs = community_ids_of(user)
        mine += [c for c in accepted if c.id in belongs and c not in mine]
    return mine


def stewards_removed_as_moderators(space) -> set[int]:
    """Stewards a steward took off this space's moderators (stewards moderate by default), once per request."""
    from flask import g, has_app_context
    from workspace.moderation.models import DefaultModeratorRemoval
    query = select(DefaultModeratorRemoval.user_id).where(DefaultModeratorRemoval.space_id == space.id)
    if not has_app_context():
        return set(db.session.scalars(query))
    cache = g.setdefault("stewards_removed_as_moderators", {})
    if space.id not in cache:
        cache[space.id] = set(db.session.scalars(query))
    return cache[space.id]


def is_space_moderator(user, space) -> bool:
    return bool(moderator_communities(user, space))


def can_moderate(user, space) -> bool:
    """Act on the queue, hide, restore, redact, mute, slow mode: a moderator of this space, and only this one."""
    return can_moderate_space(user, space)


def can_flag(user, space) -> bool:
    """Any joined member may flag (a muted member too: flagging is not posting)."""
    return can_participate_in_space(user, space)


def can_view_moderation_log(user, space) -> bool:
    """Every member of the space reads what was done, by whom and why (never who flagged)."""
    return is_admin(user) or space_member(user, space) is not None or is_space_moderator(user, space)


def can_appoint_moderators(user, space) -> bool:
    """A steward of a convened community appoints or removes moderators from their own community."""
    return space.status == ACTIVE and bool(
        community_ids_of(user, role=STEWARD) & {l.community_id for l in space.convened if l.status == ACCEPTED})


def can_appeal(user, item) -> bool:
    """The author of hidden content appeals, once."""
    return is_signed_in(user) and item.author_id == user.id and can_view_space(user, item.space)


def can_review_hide(user, item) -> bool:
    """A moderator of the author's community confirms or restores another community's hide."""
    return can_moderate(user, item.space) and item.author_community_id in {
        c.id for c in moderator_communities(user, item.space)}


def can_decide_appeal(user, item) -> bool:
    """A moderator of the community the appeal was routed to."""
    return can_moderate(user, item.space) and item.appeal_community_id in {
        c.id for c in moderator_communities(user, item.space)}


def can_view_participation(user, space) -> bool:
    return can_view_space(user, space)


# --- activities (issue 11: breakthrough activities) ------------------------------------------

def can_view_activity(user, activity) -> bool:
    return can_view_space(user, activity.space)


def can_start_activity(user, space) -> bool:
    """Joined members of an active space start activities; an archived space starts nothing."""
    return can_participate_in_space(user, space)


def can_tick_activity_step(user, activity) -> bool:
    """Any participant ticks a step while the activity is open."""
    return activity.status == "open" and can_participate_in_space(user, activity.space)


def can_judge_activity(user, activity) -> bool:
    """Any member of a convened community answers for it, once, while the space is active."""
    from workspace.activities.services import judging_communities
    return (is_signed_in(user) and activity.space.status == ACTIVE and can_view_space(user, activity.space)
            and bool(judging_communities(activity, user)))


def can_close_activity(user, activity) -> bool:
    """Whoever started it, or a moderator, closes it (at the end of the timebox or earlier)."""
    return activity.status == "open" and can_participate_in_space(user, activity.space) and (
        activity.created_by_id == user.id or can_moderate_space(user, activity.space))


def can_view_activity_templates(user) -> bool:
    return is_signed_in(user)


def can_manage_activity_templates(user, community) -> bool:
    """Stewards keep their community's own templates (and share them with its spaces)."""
    return can_manage_community(user, community)


# --- enforcement ----------------------------------------------------------------------------

def require(allowed: bool, reason: str = "You are not allowed to do that.", *, user=None) -> None:
    """Raise the right refusal when `allowed` is false: 401 for anonymous, 403 otherwise."""
    if allowed:
        return
    if user is not None and not is_signed_in(user):
        raise NotAuthenticated("Please sign in first.")
    raise Forbidden(reason)


def require_visible(allowed: bool, what: str = "That page") -> None:
    """Refuse with 404 so people cannot probe for spaces they are not part of."""
    if not allowed:
        raise NotFound(f"{what} does not exist or is not shared with you.")


# --- issue 12: a person's own sessions and data ---------------------------------------------

def can_manage_login_session(user, login_session) -> bool:
    """Only the person signed in with a session may see or end it."""
    return is_signed_in(user) and login_session.user_id == user.id


def can_take_own_data(user) -> bool:
    """Export or delete one's own account; nobody can do it for someone else through the app."""
    return is_signed_in(user) and getattr(user, "deleted_at", None) is None
