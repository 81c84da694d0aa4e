"""Deleting one's account: shared work stays readable, the person behind it does not (issue 12)."""
import logging
import secrets

from sqlalchemy import delete, func, select

from workspace.accounts import services as accounts
from workspace.accounts.models import OutboxMessage, PasswordReset, User
from workspace.accounts.passwords import hash_password, verify_password
from workspace.communities.models import STEWARD, Membership
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.extensions import db
from workspace.notices.models import Notice
from workspace.spaces.models import SpaceMember

log = logging.getLogger("convene.privacy")
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: can never receive mail


def former_member_name(user: User) -> str:
    """What shared work shows instead of a deleted person: "A former member of Social Work"."""
    names = sorted(m.community.name for m in user.memberships)
    if not names:
        return "A former member"
    return "A former member of " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


def _communities_left_without_steward(user: User) -> list[str]:
    stranded = []
    for membership in user.memberships:
        if membership.role != STEWARD:
            continue
        community_id = membership.community_id
        other_stewards = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.community_id == community_id, Membership.role == STEWARD, Membership.user_id != user.id))
        other_members = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.community_id == community_id, Membership.user_id != user.id))
        if not other_stewards and other_members:
            stranded.append(membership.community.name)
    return sorted(stranded)


def delete_account(user: User, *, password, actor: User) -> str:
    """Anonymise the account and sign it out everywhere; return the name its shared work now shows.

    Documents, cards, terms and positions stay (they belong to the joint work) and are shown as
    written by "a former member of …"; the email, password, memberships, sessions, tokens,
    notices and pending mail go.
    """
    if not isinstance(password, str) or not verify_password(user.password_hash, password):
        raise ValidationError({"password": "That is not your password."})
    stranded = _communities_left_without_steward(user)
    if stranded:
        raise ValidationError({"password": f"You are the only steward of {', '.join(stranded)}: make another "
                                           f"member a steward first, so the community is not left without one."})
    name = former_member_name(user)
    old_email = user.email
    accounts.deactivate_user(user, actor=actor)  # sessions, tokens and open sockets end now
    user.display_name = name
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@{DELETED_EMAIL_DOMAIN}"
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # nobody knows it
    user.is_admin = False
    user.deleted_at = utcnow()
    for membership in list(user.memberships):
        user.memberships.remove(membership)
    db.session.execute(delete(SpaceMember).where(SpaceMember.user_id == user.id))
    db.session.execute(delete(Notice).where(Notice.user_id == user.id))
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to_address == old_email,
                                                   OutboxMessage.sent_at.is_(None)))
    db.session.flush()
    log.info("user %s deleted their account", user.id)
    return name
