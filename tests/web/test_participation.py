"""Participation balance (issue 10): the fuller view with its chart and table, the API's same figures,
not-yet-heard for moderators and for each person about themselves, the nudge and round-robin turns."""
from sqlalchemy import select

from tests.conftest import post_form
from workspace.accounts.services import find_user_by_email
from workspace.comments import services as comments
from workspace.extensions import db
from workspace.participation import services as participation
from workspace.spaces.models import Space


def space_id(app, title="Referral guidelines"):
    with app.app_context():
        return db.session.scalar(select(Space.id).where(Space.title == title))


def test_the_page_shows_a_chart_with_its_table_and_the_api_the_same_figures(app, sign_in_as):
    sid = space_id(app)
    sam = sign_in_as("sam@socialwork.test")
    html = sam.get(f"/spaces/{sid}/participation").get_data(as_text=True)
    assert "<svg" in html and "pattern-diagonal" in html and "<table" in html and "% of members" in html
    from workspace.accounts import services as accounts
    with app.app_context():
        _, secret = accounts.create_api_token(find_user_by_email("sam@socialwork.test"), name="t")
        db.session.commit()
        expected = participation.figures(db.session.get(Space, sid))
    api = app.test_client().get(f"/api/v1/spaces/{sid}/participation", headers={"Authorization": f"Bearer {secret}"})
    assert api.json["windows"] == expected["windows"]


def test_not_yet_heard_is_shown_to_moderators_and_to_each_person_about_themselves(app, sign_in_as):
    from workspace.accounts.services import register_user
    from workspace.communities.services import add_member, find_community
    from workspace.spaces.services import join_space
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        quiet = register_user(email="quinn@socialwork.test", display_name="Quinn Quiet", password="convene-demo")
        add_member(find_community("social-work"), quiet, actor=None)
        join_space(space, actor=quiet, accepts_ground_rules=True)
        db.session.commit()
        sid = space.id
        assert quiet.id in participation.figures(space)["not_yet_heard"]
    assert "Quinn Quiet" in sign_in_as("sam@socialwork.test").get(f"/spaces/{sid}/participation").get_data(as_text=True)
    own = sign_in_as("quinn@socialwork.test").get(f"/spaces/{sid}/participation").get_data(as_text=True)
    assert "You haven't contributed here yet" in own
    other = sign_in_as("omar@psychiatry.test").get(f"/spaces/{sid}/participation").get_data(as_text=True)
    assert "Quinn Quiet" not in other


def test_a_nudge_appears_when_one_voice_dominates_a_thread(app, sign_in_as):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        omar = find_user_by_email("omar@psychiatry.test")
        root = comments.create_comment(space=space, actor=omar, body="Opening")
        for i in range(4):
            comments.reply_to(root, actor=omar, body=f"And another thing {i}")
        db.session.commit()
        sid = space.id
    html = sign_in_as("sam@socialwork.test").get(f"/spaces/{sid}").get_data(as_text=True)
    assert "Omar Haddad wrote 5 of the last 5 comments here" in html


def test_round_robin_shows_whose_community_turn_it_is(app, sign_in_as):
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
        root = comments.create_comment(space=space, actor=find_user_by_email("omar@psychiatry.test"), body="Turns")
        db.session.commit()
        sid, root_id = space.id, root.id
    sam = sign_in_as("sam@socialwork.test")
    assert post_form(sam, f"/comments/{root_id}/round-robin", {"on": "yes"}).status_code == 303
    html = sam.get(f"/spaces/{sid}").get_data(as_text=True)
    assert "Round-robin: it is Social Work's turn" in html
    omar = sign_in_as("omar@psychiatry.test")
    assert post_form(omar, f"/comments/{root_id}/round-robin", {"on": "no"}).status_code == 403
