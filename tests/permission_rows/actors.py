"""The actors of the permission table, seen from the "Referral guidelines" space (Psychiatry +
Social Work) and the Social Work community, whose steward Sam moderates it."""
from tests.conftest import OUTSIDER

ACTORS = {
    "anonymous": None,
    "outsider": OUTSIDER,                      # belongs to no community
    "not_convened": "jo@policing.test",        # Community Policing is not convened in the space
    "not_joined": "maria@socialwork.test",     # Social Work member who has not joined the space
    "participant": "omar@psychiatry.test",
    "moderator": "sam@socialwork.test",        # also the Social Work steward
    "admin": "admin@convene.test",
}
ALL = set(ACTORS)
SIGNED_IN = ALL - {"anonymous"}
VIEWERS = {"not_joined", "participant", "moderator", "admin"}
STEWARD = {"moderator", "admin"}
NON_MEMBERS_OF_SOCIAL_WORK = {"outsider", "not_convened", "participant", "admin"}

