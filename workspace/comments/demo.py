"""Demo threads: each space's discussion, two cards, and a thread with a reply from each community."""
from sqlalchemy import select

from workspace.boards import services as boards
from workspace.comments import services
from workspace.comments.models import Comment
from workspace.extensions import db

CRISIS_OPENING = "Before we draft anything: what does *the first hour* look like for each of us today?"
REFERRAL_OPENING = "Can we agree on one word for the person we refer, @[Social Work]? We say *patient*."


def seed_comments(world: dict) -> None:
    """Add the demo threads unless they are there already (running it twice changes nothing)."""
    people, spaces = world["people"], world["spaces"]
    crisis, referral = spaces["crisis"], spaces["referral"]
    if db.session.scalar(select(Comment.id).where(Comment.space_id == crisis.id, Comment.body == CRISIS_OPENING)):
        return
    lee, sam, priya, jo, maria, omar = (people[k] for k in ("lee", "sam", "priya", "jo", "maria", "omar"))

    # The crisis space's discussion: a reply from each of its three communities.
    opening = services.create_comment(space=crisis, actor=lee, body=CRISIS_OPENING)
    services.reply_to(opening, actor=sam, body="For us it starts with the **client**'s safety plan, if there is one: "
                                                "who they trust, what has helped before.")
    services.reply_to(opening, actor=priya, body="An assessment within the hour, and a decision on whether a "
                                                  "*section* is even on the table. Usually it is not.")
    services.reply_to(opening, actor=jo, body="We are often first there. We open a *case* for every call-out, "
                                               "which @[Social Work] tells me sounds like something else to them.")
    settled = services.create_comment(space=crisis, actor=maria, body="Shall we meet weekly on Thursdays until "
                                                                       "the draft is ready?")
    services.reply_to(settled, actor=lee, body="Thursdays work. @[Priya Raman], does that suit you?")
    services.resolve_thread(settled, actor=priya)

    # The referral space's discussion, with a mention of a community.
    words = services.create_comment(space=referral, actor=priya, body=REFERRAL_OPENING)
    services.reply_to(words, actor=sam, body="We say *client*. Could the form say “the person referred”?")
    services.reply_to(words, actor=omar, body="Works for me.")

    # Two cards: the crisis board's first card, and the referral board's "Client or patient?" card.
    first = boards.open_cards(world["boards"]["crisis_rota"])[0]
    on_card = services.create_comment(space=crisis, actor=jo, card=first,
                                      body="I can take the first two weeks of nights.")
    services.reply_to(on_card, actor=maria, body="Thanks, I'll pair with you on the Tuesday.")
    referral_cards = boards.open_cards(world["boards"]["referral_form"])
    card = next((c for c in referral_cards if c.title.startswith("Client or patient")), referral_cards[0])
    services.create_comment(space=referral, actor=omar, card=card,
                            body="See the discussion on the space page: “the person referred” is winning.")
