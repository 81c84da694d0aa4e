"""The demo world from the product brief, built through the same services a person would use."""
from sqlalchemy import select

from workspace.accounts import services as accounts
from workspace.communities import services as communities
from workspace.communities.models import MEMBER, STEWARD
from workspace.boards.demo import seed_boards
from workspace.documents.demo import seed_documents
from workspace.glossary.demo import seed_glossaries
from workspace.extensions import db
from workspace.spaces import services as spaces
from workspace.spaces.models import Space

PASSWORD = "convene-demo"

COMMUNITIES = [
    ("Psychiatry", "psychiatry", "#6b2c91",
     "Psychiatrists and psychiatric nurses: assessment, treatment and, when the law allows, detention."),
    ("Social Work", "social-work", "#1d6b48",
     "Social workers supporting people and families: housing, benefits, safeguarding, advocacy."),
    ("Community Policing", "community-policing", "#1f4e8c",
     "Neighbourhood police officers and police staff who respond to people in crisis."),
]

PEOPLE = [
    ("admin@convene.test", "Ada Admin", None, None, True),
    ("priya@psychiatry.test", "Priya Raman", "psychiatry", STEWARD, False),
    ("sam@socialwork.test", "Sam Okafor", "social-work", STEWARD, False),
    ("lee@policing.test", "Lee Brennan", "community-policing", STEWARD, False),
    ("omar@psychiatry.test", "Omar Haddad", "psychiatry", MEMBER, False),
    ("maria@socialwork.test", "María José Álvarez", "social-work", MEMBER, False),
    ("jo@policing.test", "Jo Nakamura", "community-policing", MEMBER, False),
]

REFERRAL_PURPOSE = """\
A **breakthrough activity**: write one page of guidelines for referring someone from psychiatry to
social work and back, so nobody falls between the two services. Timeboxed to four weeks."""

CRISIS_PURPOSE = """\
A **joint response** to the council's draft *Crisis response policy 2027*: what should happen in the
first hour when someone is in a mental-health crisis in public, and who does what."""


def seed_demo() -> dict:
    """Create whatever part of the demo world is missing; running it twice changes nothing."""
    by_slug = {}
    for name, slug, colour, description in COMMUNITIES:
        by_slug[slug] = communities.find_community(slug) or communities.create_community(
            name=name, slug=slug, colour=colour, description=description, actor=None)

    people = {}
    for email, display_name, slug, role, is_admin in PEOPLE:
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.register_user(email=email, display_name=display_name, password=PASSWORD,
                                          is_admin=is_admin)
        people[email.split("@")[0]] = user
        if slug and communities.membership_of(user, by_slug[slug]) is None:
            communities.add_member(by_slug[slug], user, role=role, actor=None)

    referral = _space("Referral guidelines", proposer=people["priya"], proposing=by_slug["psychiatry"],
                      invited=[by_slug["social-work"]], acceptors=[people["sam"]], purpose=REFERRAL_PURPOSE)
    crisis = _space("Crisis response policy 2027", proposer=people["lee"], proposing=by_slug["community-policing"],
                    invited=[by_slug["social-work"], by_slug["psychiatry"]],
                    acceptors=[people["sam"], people["priya"]], purpose=CRISIS_PURPOSE)
    for space, person in ((referral, people["omar"]), (crisis, people["jo"]), (crisis, people["maria"])):
        if spaces.policy.space_member(person, space) is None:
            spaces.join_space(space, actor=person, accepts_ground_rules=True)
    seed_glossaries(by_slug, people)
    db.session.flush()
    world = {"communities": by_slug, "people": people, "spaces": {"referral": referral, "crisis": crisis}}
    seed_documents(world)
    db.session.flush()
    world["boards"] = seed_boards(world)
    from workspace.comments.demo import seed_comments  # comments (issue 9)
    seed_comments(world)
    from workspace.moderation.demo import seed_moderation  # moderation (issue 10)
    seed_moderation(world)
    # issue 11: breakthrough activities
    from workspace.activities.demo import seed_activities
    world["activities"] = seed_activities(world)
    return world


def _space(title, *, proposer, proposing, invited, acceptors, purpose) -> Space:
    space = db.session.scalar(select(Space).where(Space.title == title))
    if space is None:
        space = spaces.propose_space(proposing=proposing, invited=invited, title=title, purpose=purpose,
                                     actor=proposer)
        for steward in acceptors:
            spaces.accept_space(space, actor=steward)
    return space
