"""Moderation follow-ups (issue 10): hidden cards, terms and bridge notes show why in place; mutes lifted early and
slow mode ended early; a steward's default moderator role removed and restored; notices through the centre."""
import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.web.test_moderation import bearer, person, space_named
from workspace import policy
from workspace.audit.models import AuditEntry
from workspace.errors import ValidationError
from workspace.extensions import db, socketio
from workspace.glossary.models import Bridge, Term
from workspace.moderation import services
from workspace.moderation.kinds import KINDS
from workspace.notices.models import Notice
from workspace.notices.services import lines_for


@pytest.fixture
def referral(ctx):
    return space_named("Referral guidelines")


def a_card(space):
    from workspace.boards.demo import REFERRAL_TITLE, find_board
    from workspace.boards import services as boards
    return boards.open_cards(find_board(REFERRAL_TITLE))[0]


def logged(space, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.space_id == space.id,
                                                       AuditEntry.action == action)).all()


# --- hidden cards, terms and bridge notes ---------------------------------------------------------

def test_a_hidden_card_shows_why_in_place_of_its_description_live(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        card = a_card(space)
        card.description = "Call Mrs K. at home"
        db.session.commit()
        card_id, board_id, space_id = card.id, card.board_id, space.id
    reader = sign_in_as("priya@psychiatry.test")
    sio = socketio.test_client(app, flask_test_client=reader)
    assert sio.emit("join_board", {"board_id": board_id, "since": 0}, callback=True)["ok"]
    sio.get_received()
    sam = bearer(app, "sam@socialwork.test")
    item = sam.post(f"/api/v1/spaces/{space_id}/moderation", json={"kind": "card", "id": card_id}).json
    assert sam.post(f"/api/v1/moderation/{item['id']}/hide", json={"reason": "Names a client"}).status_code == 200
    assert any(e["name"] == "card_updated" and e["args"][0]["card"]["id"] == card_id for e in sio.get_received())
    sio.disconnect()
    html = reader.get(f"/cards/{card_id}").get_data(as_text=True)
    assert "Hidden by a moderator from Social Work: Names a client" in html and "Mrs K." not in html
    fragment = reader.get(f"/cards/{card_id}/glossary/fragments").get_data(as_text=True)
    assert "Hidden by a moderator from Social Work: Names a client" in fragment
    sam.post(f"/api/v1/moderation/{item['id']}/restore", json={"reason": "Initials were removed"})
    assert "Hidden by a moderator" not in reader.get(f"/cards/{card_id}").get_data(as_text=True)


def test_a_hidden_term_and_bridge_note_show_why_on_their_pages(app, sign_in_as):
    from workspace.communities.services import find_community
    with app.app_context():
        space = space_named("Referral guidelines")
        omar = person("omar")
        psychiatry, social = find_community("psychiatry"), find_community("social-work")
        term = Term(community_id=psychiatry.id, term="frequent flyer", term_key="frequent flyer",
                    definition="A patient who keeps coming back", created_by_id=omar.id)
        other = db.session.scalar(select(Term).where(Term.community_id == social.id))
        db.session.add(term)
        db.session.flush()
        bridge = Bridge(from_term_id=term.id, to_term_id=other.id, relation="related", note="they are all the same",
                        proposed_by_id=omar.id)
        db.session.add(bridge)
        db.session.flush()
        for kind, obj in (("term", term), ("bridge", bridge)):
            item = services.open_item(KINDS[kind], obj, space=space, actor=person("sam"))
            services.hide_item(item, reason="Stereotypes patients", actor=person("sam"))
        db.session.commit()
        term_id, space_id = term.id, space.id
    reader = sign_in_as("priya@psychiatry.test")
    page = reader.get(f"/terms/{term_id}").get_data(as_text=True)
    assert page.count("Hidden by a moderator from Social Work: Stereotypes patients") == 2
    assert "keeps coming back" not in page and "all the same" not in page
    glossary = reader.get(f"/spaces/{space_id}/glossary").get_data(as_text=True)
    assert "Hidden by a moderator from Social Work: Stereotypes patients" in glossary and "all the same" not in glossary


# --- lifting a mute, ending slow mode -------------------------------------------------------------

def test_a_moderator_lifts_a_mute_early_the_person_sees_it_and_it_is_logged(app, sign_in_as):
    with app.app_context():
        space = space_named("Referral guidelines")
        mute = services.mute_member(space, user=person("omar"), reason="Cooling off", minutes=60, actor=person("sam"))
        db.session.commit()
        space_id, mute_id = space.id, mute.id
    sam = sign_in_as("sam@socialwork.test")
    assert "Lift the mute" in sam.get(f"/spaces/{space_id}/moderation").get_data(as_text=True)
    response = post_form(sam, f"/spaces/{space_id}/mutes/{mute_id}/lift", {"reason": "We talked it through"},
                         page=f"/spaces/{space_id}/moderation")
    assert response.status_code == 303
    omar = sign_in_as("omar@psychiatry.test")
    assert "You are muted here" not in omar.get(f"/spaces/{space_id}").get_data(as_text=True)
    assert post_form(omar, f"/spaces/{space_id}/comments", {"body": "Back again"}).status_code in (201, 303)
    notices = omar.get("/notices").get_data(as_text=True)
    assert "ended your mute in" in notices and "We talked it through" in notices
    with app.app_context():
        entries = logged(space_named("Referral guidelines"), "moderation.unmuted")
        assert len(entries) == 1 and entries[0].detail["reason"] == "We talked it through"


def test_lifting_without_a_reason_twice_or_from_another_space_is_refused(app):
    with app.app_context():
        space = space_named("Referral guidelines")
        mute = services.mute_member(space, user=person("omar"), reason="Cooling off", minutes=60, actor=person("sam"))
        db.session.commit()
        space_id, mute_id = space.id, mute.id
        other_id = space_named("Crisis response policy 2027").id
    sam = bearer(app, "sam@socialwork.test")
    assert sam.post(f"/api/v1/spaces/{space_id}/mutes/{mute_id}/lift", json={"reason": ""}).status_code == 422
    assert sam.post(f"/api/v1/spaces/{other_id}/mutes/{mute_id}/lift", json={"reason": "x"}).status_code == 422
    assert sam.post(f"/api/v1/spaces/{space_id}/mutes/{mute_id}/lift", json={"reason": "Fine now"}).status_code == 200
    again = sam.post(f"/api/v1/spaces/{space_id}/mutes/{mute_id}/lift", json={"reason": "Again"})
    assert again.status_code == 422 and "already ended" in again.get_data(as_text=True)


def test_slow_mode_can_be_turned_off_before_its_time(referral):
    services.set_slow_mode(referral, seconds=600, reason="Heated", minutes=60, actor=person("sam"))
    assert services.active_slow_mode(referral) is not None
    services.set_slow_mode(referral, seconds=0, reason="Calmer now", minutes=None, actor=person("priya"))
    assert services.active_slow_mode(referral) is None
    assert logged(referral, "moderation.slow_mode_off")[0].detail["reason"] == "Calmer now"


# --- a steward's default moderator role ---------------------------------------------------------------

def test_a_steward_removes_and_restores_another_stewards_default_moderator_role(referral):
    from workspace.communities.models import STEWARD, Membership
    from workspace.communities.services import find_community
    social = find_community("social-work")
    maria = person("maria")
    db.session.scalar(select(Membership).where(Membership.user_id == maria.id,
                                               Membership.community_id == social.id)).role = STEWARD
    db.session.flush()
    assert policy.is_space_moderator(maria, referral)
    services.set_moderator(referral, user=maria, moderator=False, actor=person("sam"))
    assert not policy.is_space_moderator(maria, referral)
    assert maria.id not in {u.id for u in services.moderators_of(referral, social.id)}
    services.set_moderator(referral, user=maria, moderator=True, actor=person("sam"))
    assert policy.is_space_moderator(maria, referral)
    reasons = [e.detail["reason"] for e in logged(referral, "moderation.removed") + logged(referral, "moderation.appointed")]
    assert "Moderator removed (a steward's default role)" in reasons


def test_a_steward_cannot_remove_another_communitys_steward(referral):
    with pytest.raises(ValidationError, match="your own community"):
        services.set_moderator(referral, user=person("priya"), moderator=False, actor=person("sam"))
    assert policy.is_space_moderator(person("priya"), referral)


def test_removing_a_steward_by_the_page_takes_away_their_queue(app, sign_in_as):
    from workspace.communities.models import STEWARD, Membership
    from workspace.communities.services import find_community
    with app.app_context():
        maria = person("maria")
        db.session.scalar(select(Membership).where(Membership.user_id == maria.id, Membership.community_id ==
                                                   find_community("social-work").id)).role = STEWARD
        db.session.commit()
        space_id, maria_id = space_named("Referral guidelines").id, maria.id
    assert sign_in_as("maria@socialwork.test").get(f"/spaces/{space_id}/moderation").status_code == 200
    sam = sign_in_as("sam@socialwork.test")
    assert post_form(sam, f"/spaces/{space_id}/moderators", {"user_id": str(maria_id), "moderator": "no"},
                     page=f"/spaces/{space_id}").status_code == 303
    assert sign_in_as("maria@socialwork.test").get(f"/spaces/{space_id}/moderation").status_code == 403


# --- notices through the notification centre -------------------------------------------------------------

def test_moderation_notices_have_kinds_and_follow_each_persons_level(referral):
    from workspace.comments import services as comments
    from workspace.notices.services import set_notice_level
    omar, sam = person("omar"), person("sam")
    comment = comments.create_comment(space=referral, actor=omar, body="Mrs K. again")
    item = services.open_item(KINDS["comment"], comment, space=referral, actor=sam)
    services.hide_item(item, reason="Names a client", actor=sam)
    kinds = db.session.scalars(select(Notice.kind).where(Notice.subject_type == "moderation_item")).all()
    assert "content_hidden" in kinds and "hide_review_requested" in kinds
    line = next(l for l in lines_for(omar) if l.kind == "content_hidden")
    assert line.text == "Sam Okafor hid your “comment in Referral guidelines”: Names a client. You may appeal once." \
        or line.text.endswith("hid your “comment in Referral guidelines”: Names a client. You may appeal once.")
    assert line.url == f"/moderation/{item.id}"
    set_notice_level(referral, level="muted", actor=omar)
    services.mute_member(referral, user=omar, reason="Cooling off", minutes=30, actor=sam)
    assert not db.session.scalars(select(Notice).where(Notice.user_id == omar.id, Notice.kind == "muted")).all()
