"""Demo joint responses: a draft in "Referral guidelines", a proposal under review in the crisis space."""
from sqlalchemy import select

from workspace.documents import services
from workspace.documents.models import Document

REFERRAL_TEXT = """\
# Referring between psychiatry and social work

## When psychiatry refers to social work
- The person agrees to the referral, or the referral is needed to keep a child or adult safe.
- The referral says what help is asked for: housing, benefits, family support, advocacy.

## When social work refers to psychiatry
- Describe what you saw and heard, in the person's own words where you can.
- Say how urgent it is, and who else is involved.
"""

CRISIS_TEXT = """\
# Joint response to the draft Crisis response policy 2027

We, the psychiatrists, social workers and community police officers of this city, agree that
**the first hour** of a mental-health crisis in public decides much of what follows.

## What we ask of the council
1. A crisis line that can send a *joint visit*: a mental-health professional with a police officer
   only where there is a risk to safety.
2. A place of safety that is not a police cell.
3. A follow-up by social work within 72 hours, whatever the outcome of the visit.

## What we commit to
Each of our communities will name a contact for the pilot rota and share what we learn every month.
"""


def seed_documents(world: dict) -> None:
    people, spaces = world["people"], world["spaces"]
    _document(spaces["referral"], "Referral guidelines (draft)", REFERRAL_TEXT, people["priya"],
              responds_to="Referrals falling between the two services")
    crisis = _document(spaces["crisis"], "Joint response: first hour of a crisis", CRISIS_TEXT, people["lee"],
                       responds_to="Draft Crisis response policy 2027", url="https://example.org/crisis-policy-2027")
    if crisis.status == "drafting":
        services.move_to_review(crisis, actor=people["lee"])
        social_work = next(c for c in spaces["crisis"].communities if c.slug == "social-work")
        services.record_position(crisis, community=social_work, position="endorse", actor=people["sam"])
    seed_document_comments(world)  # comments (issue 9)


def _document(space, title, text, author, *, responds_to="", url=""):
    existing = next(iter(_find(space, title)), None)
    if existing is not None:
        return existing
    return services.create_document(space, title=title, responds_to=responds_to, responds_to_url=url,
                                    text=text, actor=author)


def _find(space, title):
    from workspace.extensions import db
    return db.session.scalars(select(Document).where(Document.space_id == space.id, Document.title == title))


# --- comments on passages of the crisis joint response (issue 9, doc-comments) ---------------------
# (passage, author, body, [(reply author, body)], resolved by)
CRISIS_THREADS = [
    ("A place of safety that is not a police cell.", "lee",
     "In policing, a *place of safety* can still mean a cell in law. Psychiatry means the hospital suite "
     "here: can we write “a hospital-based place of safety” so nobody reads it our way?", [], None),
    ("A follow-up by social work within 72 hours, whatever the outcome of the visit.", "sam",
     "72 hours is realistic only if the crisis team gives us a named contact for each visit.",
     [("priya", "The crisis team can name one contact per shift; I will put it in the rota."),
      ("lee", "We will pass that contact on in the handover note after every joint visit.")], None),
    ("share what we learn every month", "priya",
     "Monthly is a lot for a small pilot. Quarterly?",
     [("lee", "Monthly for the first three months, then we review. Agreed at the last meeting.")], "priya"),
]


def seed_document_comments(world: dict) -> None:
    """Threads on the crisis joint response: one per kind the demo shows; once only."""
    from workspace.comments import on_documents, services as comments
    from workspace.comments.models import Comment
    from workspace.extensions import db

    people = world["people"]
    document = next(iter(_find(world["spaces"]["crisis"], "Joint response: first hour of a crisis")), None)
    if document is None or db.session.scalar(select(Comment.id).where(Comment.document_id == document.id).limit(1)):
        return
    for passage, author, body, replies, resolved_by in CRISIS_THREADS:
        with on_documents.document_positions(document) as positions:
            at = positions.string.find(passage)
            if at < 0:
                continue
            start, end = positions.anchors_for(at, at + len(passage))
        thread = on_documents.comment_on_document(document, actor=people[author], body=body,
                                                  anchor_start_b64=start.b64(), anchor_end_b64=end.b64(), quote=passage)
        for who, text in replies:
            comments.reply_to(thread, actor=people[who], body=text)
        if resolved_by:
            comments.resolve_thread(thread, actor=people[resolved_by])
