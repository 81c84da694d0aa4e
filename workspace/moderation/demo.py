"""Demo moderation (issue 10): in "Crisis response policy 2027", a flagged comment awaiting review, one hidden
by Community Policing's moderator and confirmed by Social Work's, and a log with a few entries."""
from sqlalchemy import select

from workspace.comments import services as comments
from workspace.comments.models import Comment
from workspace.extensions import db
from workspace.moderation import services
from workspace.moderation.kinds import KINDS

FLAGGED = "Honestly, social workers always side with the family, whatever the risk."
HIDDEN = "The family at 12 Harbour Lane (the Okoro case) called three times last week."


def seed_moderation(world: dict) -> None:
    """Add the demo moderation unless it is there already (running it twice changes nothing)."""
    people, crisis = world["people"], world["spaces"]["crisis"]
    if db.session.scalar(select(Comment.id).where(Comment.space_id == crisis.id, Comment.body == FLAGGED)):
        return
    lee, sam, priya, jo, maria = (people[k] for k in ("lee", "sam", "priya", "jo", "maria"))
    kind = KINDS["comment"]
    # Threads of their own, not replies: a reply would leave "replied in your thread" notices in the demo.
    flagged = comments.create_comment(space=crisis, actor=jo, body=FLAGGED)
    services.flag_content(kind, flagged, space=crisis, reason="disrespect",
                          note="Generalises about a whole profession", actor=maria)
    hidden = comments.create_comment(space=crisis, actor=maria, body=HIDDEN)
    services.flag_content(kind, hidden, space=crisis, reason="confidential", actor=priya)
    item = services.item_for(kind, hidden, crisis)
    services.hide_item(item, reason="Shares a family's identifying details", actor=lee)
    services.review_hide(item, decision="confirm", reason="Agreed: names and an address; please use initials",
                         actor=sam)
