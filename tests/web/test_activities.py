"""Breakthrough activities: starting templates, ticking steps, judging, the breakthrough rule, bad input."""
import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_from, post_form
from workspace.accounts import services as accounts
from workspace.activities import library, services
from workspace.activities.models import Activity, CustomTemplate, Judgement
from workspace.boards import services as boards
from workspace.boards.models import Board, Card
from workspace.communities import services as communities
from workspace.documents import services as documents
from workspace.documents.models import Document
from workspace.events import pending
from workspace.extensions import db
from workspace.spaces.models import Space

OMAR, SAM, PRIYA, MARIA, JO, LEE = ("omar@psychiatry.test", "sam@socialwork.test", "priya@psychiatry.test",
                                    "maria@socialwork.test", "jo@policing.test", "lee@policing.test")


def person(email):
    return accounts.find_user_by_email(email)


def space_named(title):
    return db.session.scalar(select(Space).where(Space.title == title))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def api(app, email):
    with app.app_context():
        _, secret = accounts.create_api_token(accounts.find_user_by_email(email), name="test")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture
def ids(app):
    with app.app_context():
        referral, crisis = space_named("Referral guidelines"), space_named("Crisis response policy 2027")
        running = next(a for a in services.activities_in(referral) if a.template_key == "referral-guidelines")
        return {"referral": referral.id, "crisis": crisis.id, "running": running.id,
                "psychiatry": communities.find_community("psychiatry").id,
                "social_work": communities.find_community("social-work").id,
                "policing": communities.find_community("community-policing").id}


# --- starting creates exactly what the template declares ----------------------------------------

@pytest.mark.parametrize("key", sorted(library.load_directory()))
def test_starting_each_shipped_template_creates_exactly_what_it_declares(app, ctx, key):
    space = space_named("Referral guidelines")
    plan = library.load_directory()[key]
    before = {"documents": count(Document), "boards": count(Board), "cards": count(Card)}
    activity = services.start_activity(space, template_key=key, actor=person(OMAR))
    db.session.flush()
    creates = plan["creates"]
    assert [s.title for s in activity.steps] == [s["title"] for s in plan["steps"]]
    assert [s.prompt for s in activity.steps] == [s["prompt"] for s in plan["steps"]]
    assert (activity.ends_on - activity.starts_on).days + 1 == plan["timebox_days"]
    assert count(Document) == before["documents"] + (1 if "document" in creates else 0)
    assert count(Board) == before["boards"] + (1 if "board" in creates else 0)
    cards = creates.get("board", {}).get("cards", [])
    assert count(Card) == before["cards"] + len(cards)
    if "document" in creates:
        text = documents.current_text(activity.document)
        assert activity.document.title == creates["document"]["title"]
        assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == \
            [s["heading"] for s in creates["document"]["sections"]]
    else:
        assert activity.document is None
    if "board" in creates:
        assert [c.title for c in boards.open_columns(activity.board)] == creates["board"]["columns"]
        by_column = boards.cards_by_column(activity.board)
        made = [(column.title, card.title) for column in boards.open_columns(activity.board)
                for card in by_column.get(column.id, [])]
        assert sorted(made) == sorted((c["column"], c["title"]) for c in cards)
    else:
        assert activity.board is None
    tasks = services.glossary_progress(activity)
    assert [t["task"] for t in tasks] == [t["task"] for t in creates.get("glossary", [])]
    assert all(len(t["communities"]) == 2 for t in tasks)  # one row per convened community


def test_start_through_the_form_then_tick_a_step_without_javascript(app, sign_in_as, ids):
    client = sign_in_as(OMAR)
    page = client.get(f"/spaces/{ids['referral']}/activities/new")
    assert page.status_code == 200 and "One case, every view" in page.get_data(as_text=True)
    response = client.post(f"/spaces/{ids['referral']}/activities/new", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "template": "one-case-every-view",
        "starts_on": "2027-03-01", "ends_on": "2027-03-14"})
    assert response.status_code == 302
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Choose and anonymise the case" in html and "Document: One case, every view" in html
    ticked = post_form(client, f"{url}/steps/2", {"done": "true"}, page=url)
    assert ticked.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "ticked by Omar Haddad" in html and "(1 of 4 done)" in html
    # Omar's tick counts as Psychiatry taking part.
    assert 'data-community-id="%d">\n            <li>Omar Haddad' % ids["psychiatry"] in html


# --- bad input: clear refusals that change nothing ------------------------------------------------

@pytest.mark.parametrize("body,field", [
    ({"template": "referral-guidelines", "starts_on": "2027-01-01", "ends_on": "2027-06-01"}, "ends_on"),
    ({"template": "referral-guidelines", "starts_on": "2027-01-10", "ends_on": "2027-01-09"}, "ends_on"),
    ({"template": "referral-guidelines", "starts_on": "next tuesday"}, "starts_on"),
    ({"template": "referral-guidelines", "starts_on": "9999-12-31"}, "starts_on"),
    ({"template": "referral-guidelines", "starts_on": 20270101}, "starts_on"),
    ({"template": "no-such-template"}, "template"),
    ({}, "template"),
])
def test_bad_dates_or_template_are_refused_and_nothing_is_created(app, ids, body, field):
    with app.app_context():
        before = (count(Activity), count(Document), count(Board))
    response = api(app, OMAR).post(f"/api/v1/spaces/{ids['referral']}/activities", json=body)
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    with app.app_context():
        assert (count(Activity), count(Document), count(Board)) == before


def test_the_form_shows_the_date_problem_beside_the_field(app, sign_in_as, ids):
    client = sign_in_as(OMAR)
    url = f"/spaces/{ids['referral']}/activities/new"
    response = post_form(client, url, {"template": "referral-guidelines", "starts_on": "2027-01-10",
                                       "ends_on": "2027-01-09"}, page=url)
    assert response.status_code == 422
    assert 'id="ends_on-error" role="alert">The end date is before the start date.' in response.get_data(as_text=True)


def test_a_step_that_does_not_exist_is_refused(app, ids):
    response = api(app, OMAR).post(f"/api/v1/activities/{ids['running']}/steps/9/done")
    assert response.status_code == 422
    assert "there is no step 9" in response.json["errors"]["step"]


def test_an_archived_space_starts_nothing(app, ids, ctx):
    space = db.session.get(Space, ids["referral"])
    space.status = "archived"
    db.session.commit()
    try:
        response = api(app, OMAR).post(f"/api/v1/spaces/{ids['referral']}/activities",
                                       json={"template": "referral-guidelines"})
        assert response.status_code == 403 and "archived" in response.json["detail"]
        with pytest.raises(Exception, match="active space"):
            services.start_activity(space, template_key="referral-guidelines", actor=person(OMAR))
    finally:
        space.status = "active"
        db.session.commit()


def test_judging_for_a_community_you_do_not_belong_to_or_twice_is_refused(app, ids):
    omar = api(app, OMAR)
    url = f"/api/v1/activities/{ids['running']}/judgements"
    wrong = omar.post(url, json={"community_id": ids["social_work"], "verdict": "useful"})
    assert wrong.status_code == 422 and "not in Social Work" in wrong.json["errors"]["community_id"]
    bad_verdict = omar.post(url, json={"community_id": ids["psychiatry"], "verdict": "great"})
    assert bad_verdict.status_code == 422 and "verdict" in bad_verdict.json["errors"]
    first = omar.post(url, json={"community_id": ids["psychiatry"], "verdict": "partly", "would_change": "Shorter."})
    assert first.status_code == 201
    again = omar.post(url, json={"community_id": ids["psychiatry"], "verdict": "useful"})
    assert again.status_code == 403 and "already answered" in again.json["detail"]
    with app.app_context():
        answers = db.session.scalars(select(Judgement).where(Judgement.activity_id == ids["running"])).all()
        assert [(j.verdict, j.would_change) for j in answers] == [("partly", "Shorter.")]


# --- judgements and the breakthrough rule ---------------------------------------------------------

def test_breakthrough_only_when_every_community_found_it_useful(app, ctx, ids):
    activity = db.session.get(Activity, ids["running"])
    psychiatry, social_work = (communities.find_community(s) for s in ("psychiatry", "social-work"))
    assert not services.is_breakthrough(activity)
    services.judge_activity(activity, community_id=psychiatry.id, verdict="useful", actor=person(OMAR))
    assert not services.is_breakthrough(activity), "Social Work has not answered"
    services.judge_activity(activity, community_id=social_work.id, verdict="useful", actor=person(SAM))
    assert services.is_breakthrough(activity)
    # A community's answer is its members': one member finding it not useful makes Social Work "partly".
    services.judge_activity(activity, community_id=social_work.id, verdict="not_useful",
                            would_change="Too long for us.", actor=person(MARIA))
    verdicts = {row["community"].name: row["verdict"] for row in services.community_verdicts(activity)}
    assert verdicts == {"Psychiatry": "useful", "Social Work": "partly"}
    assert not services.is_breakthrough(activity)


def test_events_go_to_the_space_and_activity_rooms(app, ctx, ids):
    activity = db.session.get(Activity, ids["running"])
    services.set_step_done(activity, number=3, actor=person(OMAR))
    services.judge_activity(activity, community_id=ids["psychiatry"], verdict="useful", actor=person(OMAR))
    services.close_activity(activity, actor=person(SAM))
    sent = [(e.name, e.room) for e in pending() if not callable(e)]
    for name in ("activity_step_done", "activity_judged", "activity_closed"):
        assert (name, f"space:{ids['referral']}") in sent and (name, f"activity:{activity.id}") in sent


def test_a_closed_activity_keeps_its_steps(app, ids):
    sam = api(app, SAM)
    assert sam.post(f"/api/v1/activities/{ids['running']}/close").status_code == 200
    again = sam.post(f"/api/v1/activities/{ids['running']}/close")
    assert again.status_code == 422
    tick = api(app, OMAR).post(f"/api/v1/activities/{ids['running']}/steps/3/done")
    assert tick.status_code == 403


# --- the demo, the space page, the community page, the template page ------------------------------

def test_demo_activities(app, ctx, ids):
    running = db.session.get(Activity, ids["running"])
    assert running.is_open and services.steps_done(running) == 2 and len(running.steps) == 5
    assert services.days_left(running) > 0
    referral = db.session.get(Space, ids["referral"])
    sprint = next(a for a in services.activities_in(referral) if a.template_key == "shared-vocabulary-sprint")
    assert not sprint.is_open and services.is_breakthrough(sprint)
    crisis = db.session.get(Space, ids["crisis"])
    first_hour = services.activities_in(crisis)[0]
    verdicts = {row["community"].name: row for row in services.community_verdicts(first_hour)}
    assert {n: r["verdict"] for n, r in verdicts.items()} == {
        "Community Policing": "useful", "Social Work": "useful", "Psychiatry": "partly"}
    assert "psychiatrist" in verdicts["Psychiatry"]["judgements"][0].would_change


def test_space_page_lists_activities_with_verdicts_and_community_page_its_breakthroughs(app, sign_in_as, ids):
    client = sign_in_as(MARIA)
    html = client.get(f"/spaces/{ids['referral']}").get_data(as_text=True)
    assert "Shared vocabulary sprint" in html and "Breakthrough" in html and "not answered yet" in html
    html = client.get("/communities/social-work").get_data(as_text=True)
    assert 'id="breakthroughs-heading"' in html and "Shared vocabulary sprint" in html
    html = client.get("/communities/community-policing").get_data(as_text=True)
    assert "No breakthroughs yet" in html  # the first-hour protocol was only "partly" for Psychiatry


def test_template_page_shows_usefulness_per_pair(app, sign_in_as):
    html = sign_in_as(LEE).get("/activity-templates/first-hour-protocol").get_data(as_text=True)
    assert "Community Policing and Social Work</td><td>1 of 1 time" in html
    assert "Psychiatry and Social Work</td><td>0 of 1 time" in html


def test_library_filters_by_duration_and_what_it_creates(app, sign_in_as, ids):
    client = sign_in_as(OMAR)
    week = client.get("/activity-templates?duration=week").get_data(as_text=True)
    assert "Shared vocabulary sprint" in week and "Joint visit rota" not in week
    boards_only = client.get(f"/activity-templates?creates=board&space={ids['referral']}").get_data(as_text=True)
    assert "Joint visit rota" in boards_only and "First-hour protocol" not in boards_only
    assert "Start “Joint visit rota” in Referral guidelines" in boards_only
    listed = api(app, OMAR).get("/api/v1/activity-templates?creates=glossary").json["items"]
    assert {t["key"] for t in listed} == {"shared-vocabulary-sprint", "joint-visit-rota"}


# --- a community's own templates ------------------------------------------------------------------

def test_a_steward_copies_edits_and_shares_a_template_that_the_space_can_start(app, ids):
    sam = api(app, SAM)
    plan = {"name": "Referral check-in", "situation": "Quarterly.", "asks": "15 minutes each.", "timebox_days": 5,
            "steps": [{"title": "Read the guidelines", "prompt": "Anything out of date?"}],
            "creates": {"glossary": [{"task": "Add any new term.", "terms": 1}]}}
    made = sam.post(f"/api/v1/communities/{ids['social_work']}/activity-templates",
                    json={"copy_of": "referral-guidelines", "plan": plan, "shared": True})
    assert made.status_code == 201 and made.json["name"] == "Referral check-in"
    key = made.json["key"]
    offered = api(app, OMAR).get(f"/api/v1/activity-templates?space_id={ids['referral']}").json["items"]
    assert key in {t["key"] for t in offered}
    started = api(app, OMAR).post(f"/api/v1/spaces/{ids['referral']}/activities", json={"template": key})
    assert started.status_code == 201 and started.json["steps"][0]["title"] == "Read the guidelines"


def test_a_bad_custom_template_is_refused_naming_the_field(app, ids):
    with app.app_context():
        before = count(CustomTemplate)
    bad = api(app, SAM).post(f"/api/v1/communities/{ids['social_work']}/activity-templates",
                             json={"copy_of": "referral-guidelines", "plan": {
                                 "name": "x", "situation": "x", "asks": "x", "timebox_days": 0,
                                 "steps": [{"title": "x", "prompt": "x"}], "creates": {"glossary": [
                                     {"task": "x", "terms": 1}]}}})
    assert bad.status_code == 422 and "timebox_days" in bad.json["errors"]
    with app.app_context():
        assert count(CustomTemplate) == before
    refused = api(app, OMAR).post(f"/api/v1/communities/{ids['social_work']}/activity-templates",
                                  json={"copy_of": "referral-guidelines"})
    assert refused.status_code == 403


def test_editing_a_custom_template_in_the_form(app, sign_in_as, ids):
    client = sign_in_as(SAM)
    copied = post_form(client, f"/communities/{ids['social_work']}/activity-templates",
                       {"template": "shared-vocabulary-sprint"}, page="/activity-templates")
    assert copied.status_code == 302
    url = copied.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Shared vocabulary sprint (Social Work)" in page
    fields = {"name": "Sprint", "situation": "s", "asks": "a", "timebox_days": "120",
              "steps-0-title": "One", "steps-0-prompt": "Do it", "makes_glossary": "y",
              "glossary-0-task": "t", "glossary-0-terms": "3"}
    bad = post_form(client, url, fields, page=url)
    assert bad.status_code == 422 and 'id="timebox_days-error"' in bad.get_data(as_text=True)
    good = post_form(client, url, {**fields, "timebox_days": "3", "shared": "y"}, page=url)
    assert good.status_code == 302
    html = client.get(f"/activity-templates?space={ids['referral']}").get_data(as_text=True)
    assert "Social Work's template" in html
    html = client.get("/communities/social-work").get_data(as_text=True)
    assert f'href="{url}">Sprint</a>' in html and "shared with our spaces" in html


def test_a_persons_export_holds_their_answers_and_ticks(app, ctx):
    from workspace.activities import export  # noqa: F401  (registers the exporter)
    from workspace.privacy import EXPORTERS
    section = EXPORTERS["activities"](person(PRIYA))
    assert "First-hour protocol, for Psychiatry: partly useful — would change: Bring a psychiatrist" in section.markdown
    assert [a["title"] for a in section.data["started"]] == ["Referral guidelines"]


def test_a_comment_on_the_activitys_board_counts_as_taking_part(app, ctx, ids):
    from workspace.comments import services as comments
    activity = services.start_activity(db.session.get(Space, ids["crisis"]), template_key="joint-visit-rota",
                                       actor=person(LEE))
    card = boards.open_cards(activity.board)[0]

    def taking_part():
        return {row["community"].name: [u.display_name for u in row["people"]]
                for row in services.participation(activity)}
    assert taking_part() == {"Community Policing": ["Lee Brennan"], "Social Work": [], "Psychiatry": []}
    comments.create_comment(space=activity.space, actor=person(MARIA), body="I can do Fridays.", card=card)
    assert taking_part()["Social Work"] == ["María José Álvarez"]


def test_an_unshared_community_template_is_its_stewards_own(app, sign_in_as, ids):
    with app.app_context():
        custom = services.copy_template(communities.find_community("social-work"), key="first-hour-protocol",
                                        actor=person(SAM))
        db.session.commit()
        key = custom.key
    assert sign_in_as(SAM).get(f"/activity-templates/{key}").status_code == 200
    assert sign_in_as(OMAR).get(f"/activity-templates/{key}").status_code == 404
    refused = api(app, OMAR).post(f"/api/v1/spaces/{ids['referral']}/activities", json={"template": key})
    assert refused.status_code == 422 and "template" in refused.json["errors"]


def test_a_community_page_names_only_breakthroughs_in_spaces_you_can_see(app, sign_in_as):
    html = sign_in_as(JO).get("/communities/social-work").get_data(as_text=True)
    assert "Shared vocabulary sprint" not in html and "1 breakthrough in spaces not shared with you." in html
