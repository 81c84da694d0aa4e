"""Permission rows for moderation (issue 10), seen from "Referral guidelines" (Psychiatry + Social Work).

Sam (the "moderator" actor) moderates for Social Work as its steward; Priya (Psychiatry's steward, not an
actor) moderates for Psychiatry. Joined members flag; moderators act on the queue; only the author appeals;
only a moderator of the author's community reviews a cross-community hide or decides an appeal routed to it.
"""
from sqlalchemy import select

from tests.permission_rows.actors import SIGNED_IN, VIEWERS
from workspace.accounts.services import find_user_by_email
from workspace.comments import services as comments
from workspace.extensions import db
from workspace.moderation import services
from workspace.moderation.kinds import KINDS
from workspace.spaces.models import Space

JOINED = {"participant", "moderator"}
MODS = {"moderator", "admin"}               # Sam (steward of Social Work) and the site admin
SOCIAL_WORK_MODERATOR = {"moderator"}       # reviews hides of Social Work members' words, decides their appeals
AUTHOR = {"participant"}                    # Omar, whose comment Sam hid
LOG_READERS = {"participant", "moderator", "admin"}

TABLE = {
    ("moderation.flag_content", "POST"): ("/moderation/flags?kind=comment&id={mod_flaggable}", JOINED),
    ("moderation.show_queue", "GET"): ("/spaces/{mod_space}/moderation", MODS),
    ("moderation.open_item", "POST"): ("/spaces/{mod_space}/moderation?kind=comment&id={mod_flaggable}", MODS),
    ("moderation.show_item", "GET"): ("/moderation/{mod_open}", VIEWERS),
    ("moderation.hide_item", "POST"): ("/moderation/{mod_open}/hide", MODS),
    ("moderation.dismiss_item", "POST"): ("/moderation/{mod_open}/dismiss", MODS),
    ("moderation.redact_item", "POST"): ("/moderation/{mod_open}/redact", MODS),
    ("moderation.restore_item", "POST"): ("/moderation/{mod_hidden}/restore", MODS),
    ("moderation.review_hide", "POST"): ("/moderation/{mod_cross}/review", SOCIAL_WORK_MODERATOR),
    ("moderation.decide_appeal", "POST"): ("/moderation/{mod_cross}/appeal/decide", SOCIAL_WORK_MODERATOR),
    ("moderation.appeal_hide", "POST"): ("/moderation/{mod_appealable}/appeal", AUTHOR),
    ("moderation.mute_member", "POST"): ("/spaces/{mod_space}/mutes", MODS),
    ("moderation.lift_mute", "POST"): ("/spaces/{mod_space}/mutes/{mod_mute}/lift", MODS),
    ("moderation.set_slow_mode", "POST"): ("/spaces/{mod_space}/slow-mode", MODS),
    ("moderation.set_moderator", "POST"): ("/spaces/{mod_space}/moderators", {"moderator"}),
    ("moderation.show_log", "GET"): ("/spaces/{mod_space}/moderation-log", LOG_READERS),
    ("moderation.export_log", "GET"): ("/spaces/{mod_space}/moderation-log.csv", LOG_READERS),
    ("moderation.set_round_robin", "POST"): ("/comments/{mod_flaggable}/round-robin", MODS),
    ("moderation.participation_summary_fragment", "GET"): ("/spaces/{mod_space}/participation/summary", VIEWERS),
    ("moderation.show_participation", "GET"): ("/spaces/{mod_space}/participation", VIEWERS),
    # API: an empty JSON body is refused (422) before a flag's or an appeal's content is known, so those
    # two rows only show that signing in is needed; tests/web/test_moderation.py covers who may flag and appeal.
    ("api.create_flag", "POST"): ("/api/v1/flags", SIGNED_IN),
    ("api.create_appeal", "POST"): ("/api/v1/appeals", SIGNED_IN),
    ("api.list_moderation_queue", "GET"): ("/api/v1/spaces/{mod_space}/moderation", MODS),
    ("api.open_moderation_item", "POST"): ("/api/v1/spaces/{mod_space}/moderation", MODS),
    ("api.hide_moderation_item", "POST"): ("/api/v1/moderation/{mod_open}/hide", MODS),
    ("api.restore_moderation_item", "POST"): ("/api/v1/moderation/{mod_hidden}/restore", MODS),
    ("api.dismiss_moderation_item", "POST"): ("/api/v1/moderation/{mod_open}/dismiss", MODS),
    ("api.redact_moderation_item", "POST"): ("/api/v1/moderation/{mod_open}/redact", MODS),
    ("api.create_mute", "POST"): ("/api/v1/spaces/{mod_space}/mutes", MODS),
    ("api.lift_mute", "POST"): ("/api/v1/spaces/{mod_space}/mutes/{mod_mute}/lift", MODS),
    ("api.put_slow_mode", "PUT"): ("/api/v1/spaces/{mod_space}/slow-mode", MODS),
    ("api.get_moderation_log", "GET"): ("/api/v1/spaces/{mod_space}/moderation-log", LOG_READERS),
    ("api.get_participation", "GET"): ("/api/v1/spaces/{mod_space}/participation", VIEWERS),
}

SOCKET_TABLE = {
    "join_moderation": ({"space_id": "{mod_space}"}, MODS),
}


def build() -> dict:
    space = db.session.scalar(select(Space).where(Space.title == "Referral guidelines"))
    priya, sam = find_user_by_email("priya@psychiatry.test"), find_user_by_email("sam@socialwork.test")
    omar, maria = find_user_by_email("omar@psychiatry.test"), find_user_by_email("maria@socialwork.test")
    kind = KINDS["comment"]

    def say(who, text):
        return comments.create_comment(space=space, actor=who, body=text)

    flaggable = say(priya, "Moderation rows: flag me")
    opened = say(priya, "Moderation rows: flagged once")
    services.flag_content(kind, opened, space=space, reason="off_topic", actor=omar)
    hidden = say(priya, "Moderation rows: hidden")
    services.flag_content(kind, hidden, space=space, reason="spam", actor=omar)
    hidden_item = services.item_for(kind, hidden, space)
    services.hide_item(hidden_item, reason="Spam", actor=sam)
    appealable = say(omar, "Moderation rows: hidden, not yet appealed")
    appealable_item = services.open_item(kind, appealable, space=space, actor=sam)
    services.hide_item(appealable_item, reason="Names a client", actor=sam)
    cross = say(maria, "Moderation rows: Social Work words hidden by Psychiatry")
    cross_item = services.open_item(kind, cross, space=space, actor=priya)
    services.hide_item(cross_item, reason="Stereotypes psychiatrists", actor=priya)
    services.appeal_hide(cross_item, text="It was a quote", actor=maria)
    from workspace.accounts.services import register_user
    from workspace.communities.services import add_member, find_community
    from workspace.spaces.services import join_space
    quiet = register_user(email="muted.rows@psychiatry.test", display_name="Muted Rows", password="convene-demo")
    add_member(find_community("psychiatry"), quiet, actor=None)
    join_space(space, actor=quiet, accepts_ground_rules=True)
    mute = services.mute_member(space, user=quiet, reason="Cooling off", minutes=60, actor=sam)
    return {"mod_mute": mute.id, "mod_space": space.id, "mod_flaggable": flaggable.id, "mod_open": services.item_for(kind, opened, space).id,
            "mod_hidden": hidden_item.id, "mod_appealable": appealable_item.id, "mod_cross": cross_item.id}
