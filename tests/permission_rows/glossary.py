"""Permission rows for glossaries and bridges (seen from Social Work and the Referral guidelines space)."""
from tests.permission_rows.actors import SIGNED_IN, STEWARD, VIEWERS
from workspace.accounts import services as accounts
from workspace.communities import services as communities
from workspace.glossary import services as glossary

SOCIAL_WORK_MEMBERS = {"not_joined", "moderator"}
SOCIAL_WORK_WRITERS = SOCIAL_WORK_MEMBERS | {"admin"}
JOINED = {"participant", "moderator"}                         # joined the Referral guidelines space
IN_ANY_SPACE = JOINED | {"not_convened", "not_joined"}        # jo and maria joined Crisis response
BRIDGE_SIDES = {"not_joined", "participant", "moderator"}     # members of Psychiatry or Social Work

TABLE = {
    ("glossary.show_glossary", "GET"): ("/communities/social-work/glossary", SIGNED_IN),
    ("glossary.create_term", "GET"): ("/communities/social-work/glossary/new", SOCIAL_WORK_WRITERS),
    ("glossary.create_term", "POST"): ("/communities/social-work/glossary/new", SOCIAL_WORK_WRITERS),
    ("glossary.show_term", "GET"): ("/terms/{sw_term}", SIGNED_IN),
    ("glossary.edit_term", "GET"): ("/terms/{sw_term}/edit", SOCIAL_WORK_WRITERS),
    ("glossary.edit_term", "POST"): ("/terms/{sw_term}/edit", SOCIAL_WORK_WRITERS),
    ("glossary.decide_revision", "POST"): ("/term-revisions/{sw_proposal}/approve", STEWARD),
    ("glossary.update_glossary_settings", "POST"): ("/communities/social-work/glossary/settings", STEWARD),
    ("glossary.export_csv", "GET"): ("/communities/social-work/glossary.csv", SIGNED_IN),
    ("glossary.export_skos", "GET"): ("/communities/social-work/glossary.ttl", SIGNED_IN),
    ("glossary.import_glossary", "GET"): ("/communities/social-work/glossary/import", STEWARD),
    ("glossary.import_glossary", "POST"): ("/communities/social-work/glossary/import", STEWARD),
    ("glossary.space_glossary", "GET"): ("/spaces/{space}/glossary", VIEWERS),
    ("glossary.space_fragments", "GET"): ("/spaces/{space}/glossary/fragments", VIEWERS),
    ("glossary.propose_bridge", "POST"): ("/spaces/{space}/bridges", JOINED),
    ("glossary.confirm_bridge", "POST"): ("/bridges/{bridge}/confirm", SOCIAL_WORK_MEMBERS),
    ("glossary.dispute_bridge", "POST"): ("/bridges/{bridge}/dispute", BRIDGE_SIDES),
    ("glossary.remove_bridge", "POST"): ("/bridges/{bridge}/remove", STEWARD),
    ("glossary.set_reading_preference", "POST"): ("/glossary/reading", SIGNED_IN),
    ("api.list_terms", "GET"): ("/api/v1/communities/{social_work}/terms", SIGNED_IN),
    ("api.create_term", "POST"): ("/api/v1/communities/{social_work}/terms", SOCIAL_WORK_WRITERS),
    ("api.get_term", "GET"): ("/api/v1/terms/{sw_term}", SIGNED_IN),
    ("api.update_term", "PATCH"): ("/api/v1/terms/{sw_term}", SOCIAL_WORK_WRITERS),
    ("api.list_bridges", "GET"): ("/api/v1/bridges", SIGNED_IN),
    ("api.propose_bridge", "POST"): ("/api/v1/bridges", IN_ANY_SPACE),
    ("api.confirm_bridge", "POST"): ("/api/v1/bridges/{bridge}/confirm", SOCIAL_WORK_MEMBERS),
    ("api.get_space_glossary", "GET"): ("/api/v1/spaces/{space}/glossary", VIEWERS),
    ("api.get_jargon_hints", "POST"): ("/api/v1/spaces/{space}/jargon-hints", VIEWERS),
}

SOCKET_TABLE = {}  # the glossary only sends (glossary_changed); clients send nothing


def build() -> dict:
    """A Social Work term, a member's pending proposal, and a bridge Psychiatry proposed (Social Work has not agreed)."""
    find = accounts.find_user_by_email
    social_work = communities.find_community("social-work")
    psychiatry = communities.find_community("psychiatry")
    sw_term = glossary.create_term(social_work, data={"term": "key worker", "definition": "The lead professional."},
                                   actor=find("sam@socialwork.test"))
    proposal = glossary.create_term(social_work, data={"term": "reablement", "definition": "Short-term support."},
                                    actor=find("maria@socialwork.test"))
    psy_term = glossary.create_term(psychiatry, data={"term": "responsible clinician", "definition": "The lead."},
                                    actor=find("priya@psychiatry.test"))
    bridge = glossary.propose_bridge(from_term=psy_term, to_term=sw_term, relation="related",
                                     actor=find("priya@psychiatry.test"))
    return {"sw_term": sw_term.id, "sw_proposal": proposal.revisions[0].id, "bridge": bridge.id}
