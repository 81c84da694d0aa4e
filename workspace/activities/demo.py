"""The demo activities of the product brief, built through the same services a person would use."""
from datetime import date, timedelta

from workspace.activities import services
from workspace.activities.models import PARTLY, USEFUL


def seed_activities(world: dict) -> dict:
    """Create the demo activities that are missing; running it twice changes nothing."""
    people, spaces, by_slug = world["people"], world["spaces"], world["communities"]
    today = date.today()
    referral, crisis = spaces["referral"], spaces["crisis"]
    out = {}

    # "Referral guidelines" runs as a Referral guidelines activity, half-way through its four weeks.
    activity = _existing(referral, "referral-guidelines")
    if activity is None:
        activity = services.start_activity(referral, template_key="referral-guidelines",
                                           starts_on=today - timedelta(days=14), actor=people["priya"])
        services.set_step_done(activity, number=1, actor=people["omar"])
        services.set_step_done(activity, number=2, actor=people["sam"])
    out["referral"] = activity

    # A closed Shared vocabulary sprint that both communities found useful: a breakthrough.
    sprint = _existing(referral, "shared-vocabulary-sprint")
    if sprint is None:
        sprint = services.start_activity(referral, template_key="shared-vocabulary-sprint",
                                         starts_on=today - timedelta(days=40), actor=people["sam"])
        for number in range(1, len(sprint.steps) + 1):
            services.set_step_done(sprint, number=number, actor=people["omar"] if number % 2 else people["sam"])
        services.close_activity(sprint, actor=people["sam"])
        services.judge_activity(sprint, community_id=by_slug["psychiatry"].id, verdict=USEFUL, actor=people["omar"],
                                would_change="")
        services.judge_activity(sprint, community_id=by_slug["social-work"].id, verdict=USEFUL, actor=people["sam"],
                                would_change="Start with the false friends: “section” cost us a whole meeting.")
    out["sprint"] = sprint

    # The crisis space's first-hour protocol: useful to two communities, partly to the third.
    first_hour = _existing(crisis, "first-hour-protocol")
    if first_hour is None:
        first_hour = services.start_activity(crisis, template_key="first-hour-protocol",
                                             starts_on=today - timedelta(days=21), actor=people["lee"])
        for number in range(1, len(first_hour.steps) + 1):
            services.set_step_done(first_hour, number=number, actor=people["jo"] if number % 2 else people["maria"])
        services.close_activity(first_hour, actor=people["lee"])
        services.judge_activity(first_hour, community_id=by_slug["community-policing"].id, verdict=USEFUL,
                                actor=people["jo"])
        services.judge_activity(first_hour, community_id=by_slug["social-work"].id, verdict=USEFUL,
                                actor=people["maria"])
        services.judge_activity(first_hour, community_id=by_slug["psychiatry"].id, verdict=PARTLY, actor=people["priya"],
                                would_change="Bring a psychiatrist into step 3 earlier: the agreed first hour still "
                                             "assumes the police decide on detention before anyone clinical is called.")
    out["first_hour"] = first_hour
    return out


def _existing(space, key):
    return next((a for a in services.activities_in(space) if a.template_key == key), None)
