"""Moderation services: flag, open, dismiss, hide, restore, redact, review across the boundary, appeal,
mute, slow mode; and `check_may_post`, which the comment service calls so page, API and socket all refuse.

Every action validates, changes rows, writes an audit row (the moderation log: actor, community, reason,
never a flagger's identity), tells the people concerned (notices) and publishes live events after commit.
Permission is the caller's job (policy.can_moderate and friends).
"""
import logging
from datetime import timedelta

from sqlalchemy import func, select

from workspace import policy
from workspace.audit.services import record
from workspace.database import utcnow
from workspace.errors import ValidationError
from workspace.events import publish, room_for
from workspace.extensions import db
from workspace.moderation.kinds import KINDS
from workspace.moderation.models import (CONFIRMED, DISMISSED, HIDDEN, NOTE_MAX, OPEN, PENDING, REASON_MAX, REASONS,
                                         RESTORED, DefaultModeratorRemoval, ModerationFlag, ModerationItem, SlowMode,
                                         SpaceMute)
from workspace.notices.services import announce
from workspace.validation import FieldErrors

log = logging.getLogger("convene.moderation")

SLOW_MIN, SLOW_MAX = 5, 3600
MUTE_MAX_MINUTES = 60 * 24 * 90
REDACTED = "[redacted by a moderator]"


def moderation_room(space) -> str:
    return f"moderation:{space.id}"


# --- content --------------------------------------------------------------------------------

def resolve_content(kind_name, content_id, *, space=None):
    """The (kind, object, space) named by an API/form, or a ValidationError that says what is wrong."""
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise ValidationError({"kind": f"Choose one of: {', '.join(sorted(KINDS))}."})
    obj = kind.load(content_id)
    if obj is None:
        raise ValidationError({"id": f"There is no {kind.label} with that id."})
    where = kind.space_of(obj, space)
    if where is None:
        raise ValidationError({"space_id": f"Say in which space you read this {kind.label} (one that convenes its communities)."})
    return kind, obj, where


def content_of(item):
    kind = KINDS[item.content_kind]
    return kind, kind.load(item.content_id)


def primary_community(user_id, space):
    """The convened community a person speaks for in a space (the first one they belong to)."""
    if user_id is None:
        return None
    from workspace.communities.models import Membership
    mine = set(db.session.scalars(select(Membership.community_id).where(Membership.user_id == user_id)))
    return next((link.community for link in space.convened if link.community_id in mine), None)


def acting_community(actor, space):
    communities = policy.moderator_communities(actor, space)
    return communities[0] if communities else primary_community(actor.id, space)


def item_for(kind, obj, space) -> ModerationItem | None:
    return db.session.scalar(select(ModerationItem).where(ModerationItem.content_kind == kind.name,
                                                          ModerationItem.content_id == obj.id))


def _ensure_item(kind, obj, space, *, opened_by=None) -> ModerationItem:
    item = item_for(kind, obj, space)
    if item is None:
        author_id = kind.author_of(obj)
        community = primary_community(author_id, space)
        item = ModerationItem(space_id=space.id, content_kind=kind.name, content_id=obj.id, author_id=author_id,
                              author_community=community, status=OPEN,
                              opened_by_id=opened_by.id if opened_by else None, created_at=utcnow(),
                              updated_at=utcnow())
        db.session.add(item)
        db.session.flush()
    return item


def _reason(errors, value, field="reason", label="Reason"):
    return errors.text(field, value, label=label, max_length=REASON_MAX)


# --- flags and the queue ----------------------------------------------------------------------

def flag_content(kind, obj, *, space, reason, note="", actor) -> ModerationFlag:
    """Flag content for the moderators; a flag never hides anything by itself."""
    errors = FieldErrors()
    if reason not in REASONS:
        errors.add("reason", f"Choose a reason: {', '.join(REASONS)}.")
    note = errors.text("note", note, label="Note", max_length=NOTE_MAX, required=reason == "other")
    if kind.author_of(obj) == actor.id:
        errors.add("id", "You cannot flag your own contribution.")
    item = item_for(kind, obj, space)
    if item is not None and any(f.flagger_id == actor.id for f in item.flags):
        errors.add("id", f"You have already flagged this {kind.label}.")
    errors.raise_if_any()
    item = _ensure_item(kind, obj, space)
    community = primary_community(actor.id, space)
    flag = ModerationFlag(item_id=item.id, flagger_id=actor.id, flagger_community_id=community.id if community else None,
                          reason=reason, note=note, created_at=utcnow())
    db.session.add(flag)
    if item.status in (DISMISSED, RESTORED):
        item.status = OPEN
    item.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(item, ["flags"])
    # the log says a flag arrived and why, never who flagged
    record("moderation.flagged", actor=None, target=item, space_id=space.id, reason=REASONS[reason],
           kind=kind.name, content_id=obj.id)
    log.info("user %s flagged %s %s in space %s", actor.id, kind.name, obj.id, space.id)
    _publish_item(item)
    return flag


def open_item(kind, obj, *, space, actor) -> ModerationItem:
    """A moderator opens an item on content nobody flagged."""
    item = item_for(kind, obj, space)
    if item is not None and item.status in (OPEN, HIDDEN):
        raise ValidationError({"id": f"This {kind.label} is already in the queue."})
    item = _ensure_item(kind, obj, space, opened_by=actor)
    item.status = OPEN
    item.updated_at = utcnow()
    _log(item, "opened", actor, reason="Opened by a moderator")
    _publish_item(item)
    return item


def queue_for(space, *, include_closed=False) -> list[ModerationItem]:
    query = select(ModerationItem).where(ModerationItem.space_id == space.id)
    if not include_closed:
        query = query.where(ModerationItem.status.in_((OPEN, HIDDEN)))
    return list(db.session.scalars(query.order_by(ModerationItem.updated_at.desc(), ModerationItem.id.desc())))


def dismiss_item(item, *, reason, actor) -> ModerationItem:
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if item.status != OPEN:
        errors.add("item", "Only an open item can be dismissed.")
    errors.raise_if_any()
    item.status = DISMISSED
    item.updated_at = utcnow()
    _log(item, "dismissed", actor, reason=reason)
    _publish_item(item)
    return item


def hide_item(item, *, reason, actor) -> ModerationItem:
    """Hide content with a reason shown in place; across the boundary, the author's community reviews it."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if item.status == HIDDEN:
        errors.add("item", "This is already hidden.")
    errors.raise_if_any()
    kind, obj = content_of(item)
    community = acting_community(actor, item.space)
    item.status = HIDDEN
    item.hidden_reason = reason
    item.hidden_by_id = actor.id
    item.hidden_by_community = community
    item.hidden_at = utcnow()
    item.appeal_text = item.appealed_at = item.appeal_status = item.appeal_community_id = None
    item.updated_at = utcnow()
    cross = (item.author_community_id is not None and community is not None
             and item.author_community_id != community.id)
    item.review_status = PENDING if cross else None
    item.reviewed_by_id = None
    item.review_reason = None
    if kind.hide and obj is not None:
        kind.hide(obj, hidden_note(item))
    db.session.flush()
    _log(item, "hidden", actor, reason=reason)
    announce("content_hidden", recipients=[item.author], actor=actor, subject=item, space=item.space)
    if cross:
        announce("hide_review_requested", recipients=moderators_of(item.space, item.author_community_id),
                 actor=actor, subject=item, space=item.space)
    _publish_content(item, obj, "comment_hidden")
    _publish_item(item)
    return item


def restore_item(item, *, reason, actor, why="restored") -> ModerationItem:
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if item.status != HIDDEN:
        errors.add("item", "Only hidden content can be restored.")
    errors.raise_if_any()
    kind, obj = content_of(item)
    item.status = RESTORED
    item.updated_at = utcnow()
    if kind.restore and obj is not None:
        kind.restore(obj)
    db.session.flush()
    _log(item, why, actor, reason=reason)
    _tell_involved(item, "content_restored", actor)
    _publish_content(item, obj, "comment_restored")
    _publish_item(item)
    return item


def redact_item(item, *, passage, reason, actor) -> ModerationItem:
    """Erase a confidential passage from a comment and its history; the log records that, not the words."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    passage = errors.text("passage", passage, label="Passage", max_length=10_000, strip=False)
    kind, obj = content_of(item)
    if kind.redact is None:
        errors.add("item", f"Only comments can be redacted; hide this {kind.label} instead.")
    errors.raise_if_any()
    if obj is None or not kind.redact(obj, passage, REDACTED):
        raise ValidationError({"passage": "That passage is not in this comment or its history; copy it exactly."})
    item.updated_at = utcnow()
    db.session.flush()
    _log(item, "redacted", actor, reason=reason)
    _publish_content(item, obj, "comment_updated")
    _publish_item(item)
    return item


def review_hide(item, *, decision, reason, actor) -> ModerationItem:
    """A moderator of the author's community confirms another community's hide, or restores the content."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if decision not in ("confirm", "restore"):
        errors.add("decision", "Choose confirm or restore.")
    if item.status != HIDDEN or item.review_status != PENDING:
        errors.add("item", "There is no hide waiting for your community's review.")
    errors.raise_if_any()
    item.reviewed_by_id = actor.id
    item.review_reason = reason
    if decision == "confirm":
        item.review_status = CONFIRMED
        item.updated_at = utcnow()
        _log(item, "confirmed", actor, reason=reason)
        _tell_involved(item, "hide_confirmed", actor)
        _publish_item(item)
        return item
    item.review_status = RESTORED
    return restore_item(item, reason=reason, actor=actor, why="restored on review")


def appeal_target(item):
    """A third community where the space has a moderator, otherwise the author's own."""
    excluded = {item.author_community_id, item.hidden_by_community_id}
    for link in item.space.convened:
        if link.community_id not in excluded and moderators_of(item.space, link.community_id):
            return link.community
    from workspace.communities.models import Community
    return db.session.get(Community, item.author_community_id) if item.author_community_id else None


def appeal_hide(item, *, text, actor):
    """The author appeals a hide, once; it goes to a moderator of a third community where there is one."""
    errors = FieldErrors()
    text = errors.text("text", text, label="Your appeal", max_length=NOTE_MAX)
    if item.status != HIDDEN:
        errors.add("item", "Only hidden content can be appealed.")
    elif item.appealed_at is not None:
        errors.add("item", "You have already appealed this hide; each hide can be appealed once.")
    errors.raise_if_any()
    target = appeal_target(item)
    item.appeal_text = text
    item.appealed_at = utcnow()
    item.appeal_community = target
    item.appeal_status = PENDING
    item.updated_at = utcnow()
    db.session.flush()
    _log(item, "appealed", actor, reason=text)
    announce("appeal_received", recipients=moderators_of(item.space, item.appeal_community_id), actor=actor,
             subject=item, space=item.space)
    _publish_item(item)
    return item


def decide_appeal(item, *, decision, reason, actor):
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if decision not in ("uphold", "restore"):
        errors.add("decision", "Choose uphold or restore.")
    if item.appeal_status != PENDING:
        errors.add("item", "There is no appeal waiting for a decision.")
    errors.raise_if_any()
    item.appeal_decided_by_id = actor.id
    item.appeal_reason = reason
    if decision == "uphold":
        item.appeal_status = CONFIRMED
        item.updated_at = utcnow()
        _log(item, "appeal upheld", actor, reason=reason)
        _tell_involved(item, "appeal_upheld", actor)
        _publish_item(item)
        return item
    item.appeal_status = RESTORED
    return restore_item(item, reason=reason, actor=actor, why="restored on appeal")


# --- space measures ---------------------------------------------------------------------------

def mute_member(space, *, user, reason, minutes, actor) -> SpaceMute:
    """Mute a member for a period: they read but cannot post, and see why and until when."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MUTE_MAX_MINUTES:
        errors.add("minutes", f"Mute for 1 to {MUTE_MAX_MINUTES} minutes.")
    if user is None or policy.space_member(user, space) is None:
        errors.add("user_id", "Choose a member of this space.")
    elif user.id == actor.id:
        errors.add("user_id", "You cannot mute yourself.")
    elif policy.is_space_moderator(user, space):
        theirs = {c.id for c in policy.moderator_communities(user, space)}
        mine = {c.id for c in policy.moderator_communities(actor, space)}
        errors.add("user_id", "You cannot mute a moderator of another community." if not theirs & mine
                   else "Remove their moderator role before muting them.")
    errors.raise_if_any()
    mute = SpaceMute(space_id=space.id, user_id=user.id, reason=reason, until=utcnow() + timedelta(minutes=minutes),
                     muted_by_id=actor.id, created_at=utcnow())
    db.session.add(mute)
    db.session.flush()
    record("moderation.muted", actor=actor, target=mute, space_id=space.id, reason=reason,
           community=_name(acting_community(actor, space)), member=user.display_name, until=mute.until.isoformat())
    announce("muted", recipients=[user], actor=actor, subject=mute, space=space)
    return mute


def active_mute(space, user) -> SpaceMute | None:
    return db.session.scalar(select(SpaceMute).where(SpaceMute.space_id == space.id, SpaceMute.user_id == user.id,
                                                     SpaceMute.until > utcnow(), SpaceMute.lifted_at.is_(None))
                             .order_by(SpaceMute.until.desc()).limit(1))


def mutes_in_force(space) -> list[SpaceMute]:
    """The mutes a moderator may lift early, soonest to end first."""
    return list(db.session.scalars(select(SpaceMute).where(SpaceMute.space_id == space.id, SpaceMute.until > utcnow(),
                                                           SpaceMute.lifted_at.is_(None)).order_by(SpaceMute.until)))


def mute_in(space, mute_id) -> SpaceMute | None:
    """A mute of this space by id (None for another space's: a moderator there has no power here)."""
    mute = db.session.get(SpaceMute, mute_id) if isinstance(mute_id, int) else None
    return mute if mute is not None and mute.space_id == space.id else None


def lift_mute(mute, *, reason, actor) -> SpaceMute:
    """End a mute early, with a reason the muted person and the log see."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if mute is None:
        errors.add("mute_id", "There is no such mute in this space.")
    elif mute.lifted_at is not None or mute.until <= utcnow():
        errors.add("mute_id", "This mute has already ended.")
    errors.raise_if_any()
    mute.lifted_at, mute.lifted_by_id, mute.lift_reason = utcnow(), actor.id, reason
    db.session.flush()
    space = mute.space
    record("moderation.unmuted", actor=actor, target=mute, space_id=space.id, reason=reason,
           community=_name(acting_community(actor, space)), member=mute.user.display_name)
    announce("mute_lifted", recipients=[mute.user], actor=actor, subject=mute, space=space)
    return mute


def set_slow_mode(space, *, seconds, reason, minutes, actor) -> SlowMode | None:
    """Turn slow mode on (5 s to 1 h between a person's comments) for a period, or off with seconds=0."""
    errors = FieldErrors()
    reason = _reason(errors, reason)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not (seconds == 0 or SLOW_MIN <= seconds <= SLOW_MAX):
        errors.add("seconds", f"Slow mode is between {SLOW_MIN} seconds and 1 hour ({SLOW_MAX} s); 0 turns it off.")
    if seconds and (not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MUTE_MAX_MINUTES):
        errors.add("minutes", f"Keep slow mode for 1 to {MUTE_MAX_MINUTES} minutes.")
    errors.raise_if_any()
    current = db.session.get(SlowMode, space.id)
    if seconds == 0:
        if current is not None:
            db.session.delete(current)
        db.session.flush()
        record("moderation.slow_mode_off", actor=actor, target=space, space_id=space.id, reason=reason,
               community=_name(acting_community(actor, space)))
        return None
    if current is None:
        current = SlowMode(space_id=space.id)
        db.session.add(current)
    current.seconds, current.reason, current.set_by_id = seconds, reason, actor.id
    current.set_at = utcnow()
    current.until = utcnow() + timedelta(minutes=minutes)
    db.session.flush()
    record("moderation.slow_mode_on", actor=actor, target=space, space_id=space.id, reason=reason,
           community=_name(acting_community(actor, space)), seconds=seconds, until=current.until.isoformat())
    return current


def active_slow_mode(space) -> SlowMode | None:
    mode = db.session.get(SlowMode, space.id)
    return mode if mode is not None and mode.until > utcnow() else None


def check_may_post(space, actor) -> None:
    """Refuse a comment from a muted member, or one sooner than slow mode allows (moderators exempt)."""
    mute = active_mute(space, actor)
    if mute is not None:
        raise ValidationError({"body": f"You are muted in this space until {mute.until:%-d %b %Y %H:%M} UTC: {mute.reason}"})
    mode = active_slow_mode(space)
    if mode is None or policy.is_space_moderator(actor, space):
        return
    from workspace.comments.models import Comment
    last = db.session.scalar(select(func.max(Comment.created_at)).where(Comment.space_id == space.id,
                                                                       Comment.author_id == actor.id))
    if last is not None:  # max() keeps the column's type, so UTCDateTime hands back an aware time
        wait = mode.seconds - int((utcnow() - last).total_seconds())
        if wait > 0:
            raise ValidationError({"body": f"Slow mode is on ({mode.seconds} s between comments): "
                                           f"please wait {wait} s. {mode.reason}"})


# --- roles ------------------------------------------------------------------------------------

def moderators_of(space, community_id) -> list:
    """The people who moderate `space` for one community (its stewards, unless removed here, and appointed members)."""
    from workspace.accounts.models import User
    from workspace.communities.models import STEWARD, Membership
    if community_id is None:
        return []
    stewards = set(db.session.scalars(select(Membership.user_id).where(
        Membership.community_id == community_id, Membership.role == STEWARD)))
    members = {m.user_id for m in space.members if m.role == "moderator"}
    belongs = set(db.session.scalars(select(Membership.user_id).where(Membership.community_id == community_id)))
    ids = (stewards - policy.stewards_removed_as_moderators(space)) | (members & belongs)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id))) if ids else []


def set_moderator(space, *, user, moderator: bool, actor):
    """A steward appoints (or removes) a moderator from their own community, a steward's default role included."""
    from workspace.communities.models import STEWARD
    from workspace.spaces.models import MODERATOR, PARTICIPANT
    stewarded = policy.community_ids_of(actor, role=STEWARD) & {l.community_id for l in space.convened}
    member = policy.space_member(user, space) if user is not None else None
    steward_here = user is not None and bool(policy.community_ids_of(user, role=STEWARD)
                                             & {l.community_id for l in space.convened})
    if member is None and not steward_here:
        raise ValidationError({"user_id": "Choose a member of this space."})
    if not (policy.community_ids_of(user) & stewarded) and not policy.is_admin(actor):
        raise ValidationError({"user_id": "You can only appoint or remove moderators from your own community."})
    if member is not None:
        member.role = MODERATOR if moderator else PARTICIPANT
    removal = db.session.get(DefaultModeratorRemoval, (space.id, user.id))
    if steward_here and not moderator and removal is None:
        db.session.add(DefaultModeratorRemoval(space_id=space.id, user_id=user.id, removed_by_id=actor.id,
                                               removed_at=utcnow()))
    elif moderator and removal is not None:
        db.session.delete(removal)  # a steward's default role restored
    db.session.flush()
    from flask import g, has_app_context
    if has_app_context():
        g.pop("stewards_removed_as_moderators", None)  # policy's per-request answer is out of date now
    default = " (a steward's default role)" if steward_here else ""
    record("moderation.appointed" if moderator else "moderation.removed", actor=actor, target=space, space_id=space.id,
           reason=("Moderator appointed" if moderator else "Moderator removed") + default, member=user.display_name,
           community=_name(acting_community(actor, space)))
    return member


def moderator_coverage(space) -> list:
    """The convened communities that have at least one moderator in this space."""
    return [link.community for link in space.convened if link.status == "accepted"
            and moderators_of(space, link.community_id)]


# --- internals --------------------------------------------------------------------------------

def _name(community) -> str:
    return community.name if community is not None else "no community"


def hidden_note(item) -> str:
    who = item.hidden_by_community.name if item.hidden_by_community else None
    return f"Hidden by a moderator{f' from {who}' if who else ''}: {item.hidden_reason}"


def _log(item, action, actor, *, reason):
    kind = KINDS[item.content_kind]
    record(f"moderation.{action.replace(' ', '_')}", actor=actor, target=item, space_id=item.space_id, reason=reason,
           community=_name(acting_community(actor, item.space)), kind=kind.name, content_id=item.content_id)


def _tell_involved(item, kind, actor):
    """The author, whoever hid it, and the reviewer/appeal moderators hear the outcome (the item page says why)."""
    ids = {item.author_id, item.hidden_by_id, item.reviewed_by_id, item.appeal_decided_by_id} - {None}
    announce(kind, recipients=sorted(ids), actor=actor, subject=item, space=item.space)


def register_subjects() -> None:
    """Let notices point at queue items and mutes, named by what and where, with the current reason beside them."""
    from workspace.notices.subjects import register_subject

    def item_title(item):
        return f"{KINDS[item.content_kind].label} in {item.space.title}"

    def item_context(item):
        """Why, as things stand: the latest decision's reason (a notice always reads the item as it is now)."""
        if item.status == RESTORED:
            from workspace.audit.models import AuditEntry
            entry = db.session.scalar(select(AuditEntry).where(
                AuditEntry.target_type == "moderationitem", AuditEntry.target_id == item.id,
                AuditEntry.action.like("moderation.restored%")).order_by(AuditEntry.id.desc()).limit(1))
            return f": {entry.detail.get('reason')}" if entry is not None and entry.detail.get("reason") else ""
        if item.status != HIDDEN:
            return ""
        if item.appeal_status == CONFIRMED and item.appeal_reason:
            return f": {item.appeal_reason}"
        if item.review_status == CONFIRMED and item.review_reason:
            return f": {item.review_reason}"
        return f": {item.hidden_reason}" if item.hidden_reason else ""

    def mute_context(mute):
        if mute.lifted_at is not None:
            return f" (lifted early: {mute.lift_reason})"
        return f" until {mute.until:%-d %b %Y %H:%M} UTC: {mute.reason}"

    register_subject("moderation_item", ModerationItem, title=item_title, url=lambda i: f"/moderation/{i.id}",
                     space=lambda i: i.space, context=item_context)
    register_subject("space_mute", SpaceMute, title=lambda m: m.space.title, url=lambda m: f"/spaces/{m.space_id}",
                     space=lambda m: m.space, context=mute_context)


def hidden_notes(kind_name, ids) -> dict[int, str]:
    """What readers see in place of hidden content of one kind: {content id: "Hidden by a moderator from …: why"}."""
    ids = list(ids)
    if not ids:
        return {}
    items = db.session.scalars(select(ModerationItem).where(ModerationItem.content_kind == kind_name,
                                                            ModerationItem.content_id.in_(ids),
                                                            ModerationItem.status == HIDDEN))
    return {item.content_id: hidden_note(item) for item in items}


def _publish_content(item, obj, event):
    if obj is None:
        return
    if item.content_kind == "card":
        from workspace.boards.services import card_moderated
        card_moderated(obj)
        return
    if item.content_kind in ("term", "bridge"):
        ends = [obj.community_id] if item.content_kind == "term" else sorted(obj.community_ids)
        publish("glossary_changed", {"space_id": item.space_id, "community_ids": ends, "change": "moderated"},
                room=room_for(item.space))
        return
    if item.content_kind != "comment":
        return
    from workspace.comments.schemas import comment_payload
    from workspace.comments.services import rooms_for
    db.session.flush()
    payload = {"space_id": obj.space_id, "document_id": obj.document_id, "card_id": obj.card_id,
               "thread_id": obj.parent_id or obj.id, "change": event.removeprefix("comment_") if event != "comment_updated" else "redacted",
               "comment": comment_payload(obj)}
    publish(event, payload, room=rooms_for(obj))


def _publish_item(item):
    from workspace.moderation.schemas import item_summary
    db.session.flush()
    publish("moderation_item_changed", item_summary(item), room=moderation_room(item.space))
