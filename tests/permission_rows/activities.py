"""Permission rows for breakthrough activities (issue 11), seen from the "Referral guidelines" space.

Its demo activity was started by Priya (not an actor here): the moderator may close it, the
participant only ticks; anyone in a convened community may judge it, once.
"""
from tests.permission_rows.actors import SIGNED_IN, STEWARD, VIEWERS
from workspace.accounts import services as accounts
from workspace.activities import services as activities
from workspace.communities import services as communities
from workspace.spaces.models import Space
from workspace.extensions import db
from sqlalchemy import select

WRITERS = {"participant", "moderator"}        # joined members of "Referral guidelines"
JUDGES = {"participant", "moderator", "not_joined"}  # members of Psychiatry or Social Work
CLOSERS = {"moderator"}                       # a moderator (the activity was started by Priya)

TABLE = {
    ("activities.list_templates", "GET"): ("/activity-templates", SIGNED_IN),
    ("activities.show_template", "GET"): ("/activity-templates/referral-guidelines", SIGNED_IN),
    ("activities.start_activity", "GET"): ("/spaces/{space}/activities/new", WRITERS),
    ("activities.start_activity", "POST"): ("/spaces/{space}/activities/new", WRITERS),
    ("activities.show_activity", "GET"): ("/activities/{activity}", VIEWERS),
    ("activities.list_space_activities", "GET"): ("/spaces/{space}/activities/list", VIEWERS),
    ("activities.set_step", "POST"): ("/activities/{activity}/steps/3", WRITERS),
    ("activities.judge_activity", "POST"): ("/activities/{activity}/judgements", JUDGES),
    ("activities.close_activity", "POST"): ("/activities/{activity}/close", CLOSERS),
    ("activities.copy_template", "POST"): ("/communities/{social_work}/activity-templates", STEWARD),
    ("activities.edit_template", "GET"): ("/activity-templates/custom/{custom_template}/edit", STEWARD),
    ("activities.edit_template", "POST"): ("/activity-templates/custom/{custom_template}/edit", STEWARD),
    ("api.list_activity_templates", "GET"): ("/api/v1/activity-templates", SIGNED_IN),
    ("api.create_activity_template", "POST"): ("/api/v1/communities/{social_work}/activity-templates", STEWARD),
    ("api.list_activities", "GET"): ("/api/v1/spaces/{space}/activities", VIEWERS),
    ("api.start_activity", "POST"): ("/api/v1/spaces/{space}/activities", WRITERS),
    ("api.get_activity", "GET"): ("/api/v1/activities/{activity}", VIEWERS),
    ("api.mark_step_done", "POST"): ("/api/v1/activities/{activity}/steps/3/done", WRITERS),
    ("api.judge_activity", "POST"): ("/api/v1/activities/{activity}/judgements", JUDGES),
    ("api.close_activity", "POST"): ("/api/v1/activities/{activity}/close", CLOSERS),
}

SOCKET_TABLE = {
    "join_activity": ({"activity_id": "{activity}"}, VIEWERS),
    "leave_activity": ({"activity_id": "{activity}"}, VIEWERS),
    "tick_step": ({"activity_id": "{activity}", "number": 3}, WRITERS),
}


def build() -> dict:
    """The demo's half-way Referral guidelines activity, and a Social Work copy of a template."""
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    activity = next(a for a in activities.activities_in(space) if a.template_key == "referral-guidelines")
    social_work = communities.find_community("social-work")
    custom = activities.copy_template(social_work, key="one-case-every-view",
                                      actor=accounts.find_user_by_email("sam@socialwork.test"))
    return {"activity": activity.id, "social_work": social_work.id, "custom_template": custom.id}
