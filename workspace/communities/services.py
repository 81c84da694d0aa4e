"""Communities: creation by site admins, membership, stewards, invitation links, join requests."""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.accounts.tokens import digest, new_secret
from workspace.communities.colour import AA_NORMAL_TEXT, HEX_RE, contrast_with_white
from workspace.communities.models import MEMBER, STEWARD, Community, Invitation, JoinRequest, Membership
from workspace.communities.schemas import join_request_json
from workspace.database import utcnow
from workspace.errors import Conflict, ValidationError
from workspace.extensions import db
from workspace.loading import find_by_id
from workspace.notices.services import announce, stewards_of
from workspace.validation import LONG_TEXT_MAX, NAME_MAX, FieldErrors, normalise_name

log = logging.getLogger("convene.communities")
ROLES = (MEMBER, STEWARD)


def list_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.name)))


def find_community(slug_or_id) -> Community | None:
    if isinstance(slug_or_id, int):
        return find_by_id(Community, slug_or_id)
    slug_or_id = str(slug_or_id)
    if slug_or_id.isascii() and slug_or_id.isdigit():  # "²".isdigit() too, but int() refuses it
        return find_by_id(Community, int(slug_or_id))
    if "\x00" in slug_or_id:  # PostgreSQL refuses NUL in text, even in a query; no slug holds one
        return None
    return db.session.scalar(select(Community).where(Community.slug == slug_or_id))


def create_community(*, name, slug, description="", colour, actor: User | None) -> Community:
    """Create a community; `actor` is None only when the CLI acts as the operator."""
    errors = FieldErrors()
    name = normalise_name(errors.text("name", name, label="Name", max_length=NAME_MAX))
    slug = errors.slug("slug", slug)
    description = errors.text("description", description, label="Description",
                              max_length=LONG_TEXT_MAX, required=False)
    colour = errors.text("colour", colour, label="Colour", max_length=7)
    if colour and "colour" not in errors.errors:
        if not HEX_RE.match(colour):
            errors.add("colour", "Use a hex colour like #1f5f8b.")
        elif contrast_with_white(colour) < AA_NORMAL_TEXT:
            errors.add("colour", f"This colour is too light: white text on it has a contrast of "
                                 f"{contrast_with_white(colour):.1f}:1, and AA needs {AA_NORMAL_TEXT}:1. "
                                 "Choose a darker shade.")
    if name and db.session.scalar(select(Community.id).where(func.lower(Community.name) == name.lower())):
        errors.add("name", "A community with this name already exists.")
    if slug and db.session.scalar(select(Community.id).where(Community.slug == slug)):
        errors.add("slug", "This slug is already used by another community.")
    errors.raise_if_any()
    community = Community(name=name, slug=slug, description=description, colour=colour.lower())
    db.session.add(community)
    db.session.flush()
    log.info("community %s created by %s", community.slug, actor.id if actor else "operator")
    return community


def membership_of(user: User, community: Community) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.community_id == community.id))


def add_member(community: Community, user: User, *, role: str = MEMBER, actor: User | None) -> Membership:
    """Add someone to a community, or change their role if they already belong."""
    if role not in ROLES:
        raise ValidationError({"role": f"Role must be one of: {', '.join(ROLES)}."})
    membership = membership_of(user, community)
    if membership is None:
        membership = Membership(community_id=community.id, user_id=user.id, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    log.info("user %s is %s of %s (by %s)", user.id, role, community.slug, actor.id if actor else "operator")
    return membership


def members_of(community: Community) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(User).where(Membership.community_id == community.id)
        .order_by(Membership.role.desc(), User.display_name)))


def create_invitation(community: Community, *, actor: User) -> tuple[Invitation, str]:
    """Make an expiring invitation link; the secret is shown once to the steward."""
    secret = new_secret()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(community_id=community.id, token_hash=digest(secret), created_by_id=actor.id,
                            expires_at=utcnow() + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    return invitation, secret


def invitation_for(secret) -> Invitation | None:
    """The invitation behind a link, or None when unknown, expired or revoked."""
    if not isinstance(secret, str) or not secret:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest(secret)))
    if invitation is None or invitation.revoked_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: Invitation, *, actor: User) -> Membership:
    invitation.uses += 1
    return add_member(invitation.community, actor, role=MEMBER, actor=invitation.created_by)


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    invitation.revoked_at = invitation.revoked_at or utcnow()


def open_invitations(community: Community) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.community_id == community.id, Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow()).order_by(Invitation.created_at.desc())))


def request_to_join(community: Community, *, actor: User, message="") -> JoinRequest:
    """Ask a community's stewards to let `actor` in; a second request while one waits is refused."""
    errors = FieldErrors()
    message = errors.text("message", message, label="Message", max_length=LONG_TEXT_MAX, required=False)
    errors.raise_if_any()
    existing = pending_join_request(community, actor)
    if existing is not None:
        raise Conflict(f"You asked to join {community.name} on {sent_on(existing)}; a steward has not answered "
                       "yet. Withdraw that request first if you want to send a new one.",
                       join_request=join_request_json(existing))
    join_request = JoinRequest(community_id=community.id, user_id=actor.id, message=message)
    db.session.add(join_request)
    db.session.flush()
    announce("join_requested", recipients=stewards_of([community]), actor=actor, subject=join_request)
    log.info("%s asked to join %s", actor.email, community.slug)
    return join_request


def pending_join_request(community: Community, user: User) -> JoinRequest | None:
    """The request `user` sent to `community` that no steward has answered yet, if any."""
    return db.session.scalar(select(JoinRequest).where(
        JoinRequest.community_id == community.id, JoinRequest.user_id == user.id,
        JoinRequest.status == "pending").order_by(JoinRequest.id.desc()).limit(1))


def sent_on(join_request: JoinRequest) -> str:
    return join_request.created_at.strftime("%d %b %Y").lstrip("0")


def withdraw_join_request(join_request: JoinRequest, *, actor: User) -> None:
    """Take back a request no steward has answered; stewards no longer see it."""
    if join_request.status != "pending":
        raise ValidationError({"request": "A steward has already answered this request."})
    join_request.status = "withdrawn"
    join_request.decided_by_id = actor.id
    join_request.decided_at = utcnow()
    log.info("%s withdrew their request to join %s", actor.email, join_request.community.slug)


def pending_join_requests(community: Community) -> list[JoinRequest]:
    return list(db.session.scalars(select(JoinRequest).where(
        JoinRequest.community_id == community.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.created_at)))


def decide_join_request(join_request: JoinRequest, *, approve: bool, actor: User) -> None:
    if join_request.status != "pending":
        raise ValidationError({"request": "This request was already decided."})
    join_request.status = "approved" if approve else "declined"
    join_request.decided_by_id = actor.id
    join_request.decided_at = utcnow()
    if approve:
        add_member(join_request.community, join_request.user, role=MEMBER, actor=actor)
    announce("join_accepted" if approve else "join_declined", recipients=[join_request.user], actor=actor,
             subject=join_request)
