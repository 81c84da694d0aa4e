"""Bad input is refused beside its field (forms) or as a 422 problem (API), and changes nothing.

Names in any script are kept exactly as typed, and no string, however naughty, breaks a page,
runs a script or turns into a 500.
"""
import json
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.conftest import csrf_from, post_form, sign_in
from workspace.accounts.models import ApiToken, User
from workspace.accounts.services import create_api_token, find_user_by_email
from workspace.communities.models import Community
from workspace.extensions import db
from workspace.sanitize import ALLOWED_TAGS
from workspace.spaces.models import Space, SpaceCommunity, SpaceMember
from workspace.validation import normalise_name
from tests.shared_data import shared_data

BLNS = shared_data("naughty-strings", "blns.txt")
MISSING = object()
OWN_COMMUNITY_ONLY = object()


# --- reading pages ---------------------------------------------------------------------------

class _Page(HTMLParser):
    """What a browser would build: elements by id, each error message, tag counts, event handlers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.errors: dict[str, str] = {}
        self.tags: Counter = Counter()
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[str] = []
        self._open: list[str | None] = []
        self._title: list[str] = []
        self._in_title = False
        self.emphasis: list[str] = []
        self._in_em = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        self.urls += [v for n, v in attrs if n in ("href", "src", "action", "formaction") and v]
        if "id" in a:
            self.by_id[a["id"]] = dict(a, tag=tag)
        self._in_title = tag == "title"
        if tag == "em":
            self._in_em = True
            self.emphasis.append("")
        if tag == "p" and "error" in (a.get("class") or "").split():
            self._open.append(a.get("id") or "")
            self.errors.setdefault(self._open[-1], "")

    def handle_endtag(self, tag):
        if tag == "p" and self._open:
            self._open.pop()
        if tag == "title":
            self._in_title = False
        if tag == "em":
            self._in_em = False

    def handle_data(self, data):
        if self._open:
            self.errors[self._open[-1]] += data
        if self._in_title:
            self._title.append(data)
        if self._in_em:
            self.emphasis[-1] += data

    @property
    def title(self) -> str:
        return "".join(self._title)


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def assert_refused_beside(response, field: str, message: str):
    """A 422 whose message sits in `<field>-error`, and the field itself says it is invalid."""
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    page = read_page(html)
    assert f"{field}-error" in page.errors, page.errors
    assert message in page.errors[f"{field}-error"], page.errors
    control = page.by_id.get(field)
    assert control is not None, f"no element with id={field}"
    if control["tag"] in ("input", "textarea", "select"):
        assert control.get("aria-invalid") == "true"
        assert f"{field}-error" in (control.get("aria-describedby") or "").split()


def script_tags(html: str) -> int:
    return len(re.findall(r"<script", html, flags=re.IGNORECASE))


def assert_page_unbroken(html: str, baseline: _Page, baseline_scripts: int, *, markdown: bool = False):
    """The page has only the template's scripts and no handler or script URL a user smuggled in."""
    assert script_tags(html) == baseline_scripts
    page = read_page(html)
    assert page.handlers == baseline.handlers
    for url in page.urls:
        plain = "".join(ch for ch in url if not (ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf"}))
        assert not plain.casefold().startswith(("javascript:", "vbscript:", "data:")), url
    if markdown:
        extra = {tag for tag in page.tags if tag not in baseline.tags}
        assert extra <= ALLOWED_TAGS, extra
    else:
        assert page.tags == baseline.tags, page.tags - baseline.tags


# --- the database ----------------------------------------------------------------------------

def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def space_rows(app) -> tuple[int, int, int]:
    """Spaces and every row a space brings with it, so a half-written proposal shows."""
    return count(app, Space), count(app, SpaceCommunity), count(app, SpaceMember)


def community_ids(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(Community.slug, Community.id)).all())


def referral_space_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Space.id).where(Space.title == "Referral guidelines"))


def display_name_of(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.display_name).where(User.email == email))


def bearer(app, email: str) -> dict:
    """Headers carrying a fresh personal API token of this person."""
    with app.app_context():
        _token, secret = create_api_token(find_user_by_email(email), name="bad-input tests")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def ids(app):
    return community_ids(app)


@pytest.fixture
def priya_api(app):
    return bearer(app, "priya@psychiatry.test")


def proposal(ids, **fields) -> dict:
    body = {"proposing_community_id": ids["psychiatry"], "community_ids": [ids["social-work"]],
            "title": "Shared referral form", "purpose": "Agree **one** form both sides can use."}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not MISSING}


def assert_problem(response, status: int):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def assert_field_problem(response, field: str, message: str = ""):
    body = assert_problem(response, 422)
    assert field in body["errors"], body
    assert message in body["errors"][field]
    return body


# --- (a) forms ---------------------------------------------------------------------------------

def register_form(client, **fields):
    data = {"email": "new.person@example.org", "display_name": "New Person", "password": "a-long-password"}
    data.update(fields)
    return post_form(client, "/register", data, page="/register")


@pytest.mark.parametrize("fields, field, message", [
    ({"email": ""}, "email", "Email is required"),
    ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ({"email": "two@@example.org"}, "email", "Enter a valid email address"),
    ({"email": "new.person@example.org\x00"}, "email", "cannot be stored"),
    ({"display_name": ""}, "display_name", "Display name is required"),
    ({"display_name": "   \t  "}, "display_name", "Display name is required"),
    ({"display_name": "n" * 121}, "display_name", "at most 120 characters"),
    ({"display_name": "Ana\x00Lima"}, "display_name", "cannot be stored"),
    ({"password": "short"}, "password", "at least 10 characters"),
    ({"password": "p" * 1025}, "password", "at most 1024 characters"),
])
def test_registration_refuses_bad_field_beside_it_and_creates_nobody(client, app, fields, field, message):
    before = count(app, User)
    response = register_form(client, **fields)
    assert_refused_beside(response, field, message)
    assert count(app, User) == before


def test_registration_shows_every_problem_at_once(client, app):
    response = register_form(client, email="nope", display_name="", password="x")
    assert_refused_beside(response, "email", "valid email")
    assert_refused_beside(response, "display_name", "required")
    assert_refused_beside(response, "password", "at least 10")


def test_display_name_of_120_characters_is_accepted(client, app):
    response = register_form(client, display_name="n" * 120)
    assert response.status_code == 302
    assert display_name_of(app, "new.person@example.org") == "n" * 120


@pytest.mark.parametrize("name, message", [
    ("", "Display name is required"),
    ("x" * 121, "at most 120 characters (it has 121)"),
    ("Omar\x00", "cannot be stored"),
])
def test_profile_refuses_bad_display_name_and_keeps_the_old_one(sign_in_as, app, name, message):
    browser = sign_in_as("omar@psychiatry.test")
    response = post_form(browser, "/profile", {"display_name": name}, page="/profile")
    assert_refused_beside(response, "display_name", message)
    assert display_name_of(app, "omar@psychiatry.test") == "Omar Haddad"


def community_form(**fields):
    data = {"name": "Occupational Therapy", "slug": "occupational-therapy", "description": "",
            "colour": "#1f5f8b"}
    data.update(fields)
    return data


@pytest.mark.parametrize("fields, field, message", [
    ({"name": ""}, "name", "Name is required"),
    ({"name": "o" * 121}, "name", "at most 120 characters"),
    ({"name": "psychiatry"}, "name", "already exists"),
    ({"name": "  SOCIAL WORK "}, "name", "already exists"),
    ({"slug": ""}, "slug", "Slug is required"),
    ({"slug": "Occupational Therapy"}, "slug", "lower-case letters"),
    ({"slug": "occupational--therapy"}, "slug", "lower-case letters"),
    ({"slug": "-therapy"}, "slug", "lower-case letters"),
    ({"slug": "thérapie"}, "slug", "lower-case letters"),
    ({"slug": "s" * 65}, "slug", "at most 64"),
    ({"slug": "social-work"}, "slug", "already used"),
    ({"slug": "ot\x00"}, "slug", "cannot be stored"),
    ({"description": "d" * 20_001}, "description", "at most 20,000 characters"),
    ({"colour": ""}, "colour", "Colour is required"),
    ({"colour": "red"}, "colour", "hex colour"),
    ({"colour": "#12345"}, "colour", "hex colour"),
    ({"colour": "#12345g"}, "colour", "hex colour"),
    ({"colour": "#ffff00"}, "colour", "too light"),
    ({"colour": "#FFFFFF"}, "colour", "too light"),
    ({"colour": "#1f5f8b00"}, "colour", "at most 7"),
])
def test_create_community_refuses_bad_field_beside_it(sign_in_as, app, fields, field, message):
    admin = sign_in_as("admin@convene.test")
    before = count(app, Community)
    response = post_form(admin, "/communities/new", community_form(**fields), page="/communities/new")
    assert_refused_beside(response, field, message)
    assert count(app, Community) == before


def test_create_community_with_good_fields_works(sign_in_as, app):
    """The control for the refusals above: the same form with nothing wrong is accepted."""
    admin = sign_in_as("admin@convene.test")
    response = post_form(admin, "/communities/new", community_form(colour="#1F5F8B"), page="/communities/new")
    assert response.status_code == 302
    assert count(app, Community, Community.slug == "occupational-therapy", Community.colour == "#1f5f8b") == 1


def propose_form(ids, **fields):
    data = {"proposing_community_id": ids["psychiatry"], "community_ids": [ids["social-work"]],
            "title": "Shared referral form", "purpose": "Agree one form.", "ground_rules": ""}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not MISSING}


@pytest.mark.parametrize("fields, field, message", [
    ({"title": ""}, "title", "Title is required"),
    ({"title": "t" * 121}, "title", "at most 120 characters"),
    ({"title": "Referral\x00"}, "title", "cannot be stored"),
    ({"purpose": ""}, "purpose", "Purpose is required"),
    ({"purpose": "p" * 20_001}, "purpose", "at most 20,000 characters"),
    ({"ground_rules": "g" * 20_001}, "ground_rules", "at most 20,000 characters"),
    ({"community_ids": MISSING}, "community_ids", "Invite at least one other community"),
    ({"community_ids": OWN_COMMUNITY_ONLY}, "community_ids", "is the community proposing this space"),
])
def test_propose_space_form_refuses_bad_field_beside_it_and_writes_nothing(sign_in_as, app, ids, fields, field,
                                                                           message):
    if fields.get("community_ids") is OWN_COMMUNITY_ONLY:
        fields = dict(fields, community_ids=[ids["psychiatry"]])  # inviting only yourself is no invitation
    priya = sign_in_as("priya@psychiatry.test")
    before = space_rows(app)
    response = post_form(priya, "/spaces/new", propose_form(ids, **fields), page="/spaces/new")
    assert_refused_beside(response, field, message)
    assert space_rows(app) == before


@pytest.mark.parametrize("fields, field", [
    ({"community_ids": ["social work"]}, "community_ids"),
    ({"community_ids": [987_654]}, "community_ids"),
    ({"community_ids": [99_999_999_999_999_999_999]}, "community_ids"),
    ({"proposing_community_id": "psychiatry"}, "proposing_community_id"),
    ({"proposing_community_id": 987_654}, "proposing_community_id"),
    ({"proposing_community_id": 99_999_999_999_999_999_999}, "proposing_community_id"),
])
def test_propose_space_form_with_nonsense_ids_is_refused_beside_the_field(sign_in_as, app, ids, fields, field):
    """Only a hand-made request can send these, but it gets a message, not a 500."""
    priya = sign_in_as("priya@psychiatry.test")
    before = space_rows(app)
    response = post_form(priya, "/spaces/new", propose_form(ids, **fields), page="/spaces/new")
    assert_refused_beside(response, field, "")
    assert space_rows(app) == before


def test_joining_without_accepting_the_ground_rules_is_refused_beside_the_box(sign_in_as, app):
    space_id = referral_space_id(app)
    maria = sign_in_as("maria@socialwork.test")
    maria_id = find_user_id(app, "maria@socialwork.test")
    response = post_form(maria, f"/spaces/{space_id}/join", page=f"/spaces/{space_id}")
    assert_refused_beside(response, "accept_ground_rules", "tick the box")
    assert count(app, SpaceMember, SpaceMember.space_id == space_id, SpaceMember.user_id == maria_id) == 0
    # and ticking it lets her in: the refusal was about the box, nothing else
    response = post_form(maria, f"/spaces/{space_id}/join", {"accept_ground_rules": "y"}, page=f"/spaces/{space_id}")
    assert response.status_code == 302
    assert count(app, SpaceMember, SpaceMember.space_id == space_id, SpaceMember.user_id == maria_id) == 1


def find_user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


@pytest.mark.parametrize("name, message", [
    ("", "Token name is required"),
    ("   ", "Token name is required"),
    ("k" * 121, "at most 120 characters"),
    ("script\x00", "cannot be stored"),
])
def test_token_name_is_refused_beside_the_field_and_no_token_is_made(sign_in_as, app, name, message):
    priya = sign_in_as("priya@psychiatry.test")
    before = count(app, ApiToken)
    response = post_form(priya, "/profile/tokens", {"name": name}, page="/profile")
    assert_refused_beside(response, "name", message)
    assert 'id="new-token"' not in response.get_data(as_text=True)
    assert count(app, ApiToken) == before


def test_nul_in_sign_in_and_reset_fields_gets_the_usual_answer(client, app):
    """PostgreSQL cannot compare text holding NUL; the person still gets the normal refusal."""
    response = sign_in(client, "sam@socialwork.test\x00", "convene-demo\x00")
    assert response.status_code == 422
    assert "do not match an active account" in response.get_data(as_text=True)
    response = post_form(client, "/password-reset", {"email": "sam@socialwork.test\x00"}, page="/password-reset")
    assert response.status_code == 302


@pytest.mark.parametrize("next_page", ["/profile%0d%0aSet-Cookie:%20stolen=1", "/profile%00", "/%09/evil.example"])
def test_sign_in_with_control_characters_in_next_goes_home(client, next_page):
    """A header cannot hold them: the person lands on the home page, not on a 500 or elsewhere."""
    page = client.get(f"/login?next={next_page}").get_data(as_text=True)
    response = client.post(f"/login?next={next_page}", data={
        "csrf_token": csrf_from(page), "email": "sam@socialwork.test", "password": "convene-demo"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not any("stolen" in value for _name, value in response.headers)


# --- (b) the API -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, content_type", [
    ("title=Referral", "application/x-www-form-urlencoded"),
    ('{"title": "Referral"}', "text/plain"),
    ("{not json", "application/json"),
    ('{"title": "unterminated', "application/json"),
    (b"\xff\xfe\x00{", "application/json"),
    ("", "application/json"),
    ("[]", "application/json"),
    ('[{"title": "Referral"}]', "application/json"),
    ('"Referral"', "application/json"),
    ("42", "application/json"),
    ("null", "application/json"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),
])
def test_api_refuses_a_body_that_is_not_a_json_object(app, priya_api, data, content_type):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", data=data, content_type=content_type, headers=priya_api)
    assert_field_problem(response, "body", "JSON object")
    assert space_rows(app) == before


WRONG_TYPES = [
    ("proposing_community_id", "1"), ("proposing_community_id", 1.0), ("proposing_community_id", True),
    ("proposing_community_id", None), ("proposing_community_id", [1]), ("proposing_community_id", {"id": 1}),
    ("community_ids", 2), ("community_ids", "2"), ("community_ids", None), ("community_ids", {"2": True}),
    ("community_ids", [True]), ("community_ids", ["2"]), ("community_ids", [2.0]), ("community_ids", [[2]]),
    ("community_ids", [None]),
    ("title", 5), ("title", 1.5), ("title", True), ("title", ["Referral"]), ("title", {"text": "Referral"}),
    ("purpose", 5), ("purpose", False), ("purpose", ["a"]), ("purpose", {"a": 1}),
    ("ground_rules", 5), ("ground_rules", False), ("ground_rules", ["a"]), ("ground_rules", {"a": 1}),
]


@pytest.mark.parametrize("field, value", WRONG_TYPES, ids=[f"{f}={json.dumps(v)}" for f, v in WRONG_TYPES])
def test_api_refuses_a_field_of_the_wrong_type(app, ids, priya_api, field, value):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", json=proposal(ids, **{field: value}), headers=priya_api)
    assert_field_problem(response, field)
    assert space_rows(app) == before


@pytest.mark.parametrize("field, message", [
    ("proposing_community_id", "numeric id"),
    ("community_ids", "list of numeric ids"),
    ("title", "Title is required"),
    ("purpose", "Purpose is required"),
])
def test_api_refuses_a_missing_field(app, ids, priya_api, field, message):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", json=proposal(ids, **{field: MISSING}), headers=priya_api)
    assert_field_problem(response, field, message)
    assert space_rows(app) == before


def test_api_names_every_text_field_that_is_wrong_at_once(app, ids, priya_api):
    response = app.test_client().post("/api/v1/spaces", headers=priya_api, json=proposal(
        ids, title="   ", purpose=MISSING, ground_rules=7))
    body = assert_field_problem(response, "title", "required")
    assert set(body["errors"]) == {"title", "purpose", "ground_rules"}


@pytest.mark.parametrize("field, value, message", [
    ("title", "t" * 121, "at most 120 characters (it has 121)"),
    ("title", "👩‍👩‍👧‍👦" * 18, "at most 120 characters"),  # 18 families of 7 code points each
    ("purpose", "p" * 20_001, "at most 20,000 characters"),
    ("ground_rules", "g" * 20_001, "at most 20,000 characters"),
    ("title", "Referral\x00guidelines", "cannot be stored"),
    ("purpose", "\x00", "cannot be stored"),
    ("ground_rules", "Be kind\x00", "cannot be stored"),
])
def test_api_refuses_an_over_long_or_unstorable_field(app, ids, priya_api, field, value, message):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", json=proposal(ids, **{field: value}), headers=priya_api)
    assert_field_problem(response, field, message)
    assert space_rows(app) == before


@pytest.mark.parametrize("field", ["title", "purpose", "ground_rules"])
def test_api_refuses_text_that_is_not_valid_unicode(app, ids, priya_api, field):
    """JSON can spell a lone surrogate ("\\ud800"); no database can store it, so it is bad input."""
    before = space_rows(app)
    body = json.dumps(proposal(ids, **{field: "Referral \ud800 guidelines"}))
    assert "\\ud800" in body
    response = app.test_client().post("/api/v1/spaces", data=body, content_type="application/json",
                                      headers=priya_api)
    assert_field_problem(response, field)
    assert space_rows(app) == before


def test_api_accepts_fields_exactly_at_their_limits(app, ids, priya_api):
    """The control for the refusals above: 120 and 20,000 characters are allowed."""
    response = app.test_client().post("/api/v1/spaces", headers=priya_api, json=proposal(
        ids, title="t" * 120, purpose="p" * 20_000, ground_rules="g" * 20_000))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["title"] == "t" * 120


@pytest.mark.parametrize("field, value", [
    ("proposing_community_id", 987_654),
    ("proposing_community_id", 0),
    ("proposing_community_id", -1),
    ("proposing_community_id", 99_999_999_999_999_999_999),
    ("community_ids", [987_654]),
    ("community_ids", [0]),
    ("community_ids", [-3]),
    ("community_ids", [99_999_999_999_999_999_999]),
    ("community_ids", []),
])
def test_api_refuses_unknown_community_ids(app, ids, priya_api, field, value):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", json=proposal(ids, **{field: value}), headers=priya_api)
    assert_field_problem(response, field)
    assert space_rows(app) == before


def test_api_refuses_a_known_community_alongside_an_unknown_one_writing_nothing(app, ids, priya_api):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", headers=priya_api, json=proposal(
        ids, community_ids=[ids["social-work"], 987_654]))
    assert_field_problem(response, "community_ids", "987654")
    assert space_rows(app) == before


def test_api_refuses_the_same_community_twice(app, ids, priya_api):
    before = space_rows(app)
    response = app.test_client().post("/api/v1/spaces", headers=priya_api, json=proposal(
        ids, community_ids=[ids["social-work"], ids["social-work"]]))
    assert_field_problem(response, "community_ids", "once")
    assert space_rows(app) == before


@pytest.mark.parametrize("body", [
    {"accept_ground_rules": False}, {}, {"accept_ground_rules": "true"}, {"accept_ground_rules": 1},
    {"accept_ground_rules": None}, {"accept_ground_rules": [True]},
])
def test_api_join_without_accepting_the_ground_rules_is_refused(app, body):
    space_id = referral_space_id(app)
    maria_id = find_user_id(app, "maria@socialwork.test")
    response = app.test_client().post(f"/api/v1/spaces/{space_id}/join", json=body,
                                      headers=bearer(app, "maria@socialwork.test"))
    assert_field_problem(response, "accept_ground_rules", "ground rules")
    assert count(app, SpaceMember, SpaceMember.space_id == space_id, SpaceMember.user_id == maria_id) == 0


def test_api_join_with_a_body_that_is_not_json_is_refused(app):
    space_id = referral_space_id(app)
    response = app.test_client().post(f"/api/v1/spaces/{space_id}/join", data="yes",
                                      headers=bearer(app, "maria@socialwork.test"))
    assert_field_problem(response, "body")


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/spaces/987654"),
    ("GET", "/api/v1/spaces/99999999999999999999999"),
    ("POST", "/api/v1/spaces/987654/join"),
    ("POST", "/api/v1/spaces/99999999999999999999999/join"),
    ("POST", "/api/v1/spaces/987654/accept"),
    ("POST", "/api/v1/spaces/987654/archive"),
    ("GET", "/api/v1/communities/987654"),
    ("GET", "/api/v1/communities/99999999999999999999999"),
    ("GET", "/api/v1/spaces/-1"),
    ("GET", "/api/v1/spaces/referral"),
    ("GET", "/api/v1/no-such-thing"),
])
def test_api_unknown_ids_are_404_problems(app, priya_api, method, path):
    response = app.test_client().open(path, method=method, json={"accept_ground_rules": True}, headers=priya_api)
    assert_problem(response, 404)


@pytest.mark.parametrize("path", ["/spaces/987654", "/spaces/99999999999999999999999", "/spaces/%C2%B2",
                                  "/communities/no-such-community", "/communities/99999999999999999999999",
                                  "/communities/%C2%B2", "/communities/0",
                                  "/communities/social%00work"])
def test_pages_for_unknown_ids_are_404(sign_in_as, path):
    assert sign_in_as("maria@socialwork.test").get(path).status_code == 404


def test_api_wrong_method_is_a_405_problem(app, priya_api):
    assert_problem(app.test_client().put("/api/v1/spaces", json={}, headers=priya_api), 405)


# --- (c) names in any script -------------------------------------------------------------------

NAMES = {
    "arabic": "مريم الحسيني",
    "hebrew": "דניאל כהן",
    "rtl-and-ltr": "د. سارة Smith 2nd",
    "emoji-zwj": "👩‍👩‍👧‍👦 Family Team",
    "emoji-skin-tone-zwj": "🧑🏽‍⚕️ Asha",
    "flag": "🏳️‍🌈 Kai",
    "combining-decomposed": "Zoe\u0308 Nguye\u0302\u0303n",
    "combining-stacked": "Z\u0351\u036b\u0343\u036a\u0302algo",
    "devanagari": "अनुष्का शर्मा",
    "thai": "ณัฐวุฒิ",
    "hangul-jamo": "\u1112\u1161\u11ab\u1100\u1173\u11af",
    "cjk": "山田 太郎",
    "html-special": "O'Brien & <Sons> \"Ltd\"",
}


@pytest.mark.parametrize("typed", NAMES.values(), ids=NAMES.keys())
def test_registered_name_in_any_script_is_shown_as_typed(client, app, typed):
    shown = normalise_name(typed)
    response = register_form(client, email="any.script@example.org", display_name=typed)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert display_name_of(app, "any.script@example.org") == shown
    assert sign_in(client, "any.script@example.org", "a-long-password").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert f"<h1>Welcome, {escape(shown)}</h1>" in html
    assert f">{escape(shown)}</a>" in html  # the profile link in the header


@pytest.mark.parametrize("typed", NAMES.values(), ids=NAMES.keys())
def test_space_title_in_any_script_is_shown_as_typed(sign_in_as, app, ids, typed):
    shown = normalise_name(typed)
    priya = sign_in_as("priya@psychiatry.test")
    response = post_form(priya, "/spaces/new", propose_form(ids, title=typed, purpose=f"Work with *{typed}*"),
                         page="/spaces/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    html = priya.get(response.headers["Location"]).get_data(as_text=True)
    page = read_page(html)
    assert f"<h1>{escape(shown)}</h1>" in html
    assert page.title == f"{shown} · Convene"
    assert typed in page.emphasis  # the purpose is Markdown, kept as typed (not normalised)
    with app.app_context():
        space = db.session.scalar(select(Space).where(Space.title == shown))
        assert space is not None and space.purpose == f"Work with *{typed}*"


def test_decomposed_and_composed_names_are_one_name(ctx):
    from workspace.communities.services import create_community
    from workspace.errors import ValidationError
    create_community(name="Café Workers", slug="cafe-workers", colour="#1f5f8b", actor=None)
    with pytest.raises(ValidationError) as refused:
        create_community(name="Cafe\u0301 Workers", slug="cafe-workers-2", colour="#1f5f8b", actor=None)
    assert "already exists" in refused.value.errors["name"]


# --- (d) the big list of naughty strings -------------------------------------------------------

def naughty_strings() -> list[str]:
    """blns.txt split on LF only: entries hold U+2028, U+0085 and \\x0b, which splitlines() would break."""
    lines = BLNS.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line and not line.startswith("#")]


NAUGHTY = naughty_strings()


def fits_a_name(value: str) -> bool:
    return 0 < len(value.strip()) <= 120


def test_the_naughty_list_is_all_there():
    assert len(NAUGHTY) == 516
    assert any("\u2028" in s for s in NAUGHTY) and any("<script" in s.lower() for s in NAUGHTY)
    assert any(not fits_a_name(s) for s in NAUGHTY)  # both branches below are exercised


def test_the_page_check_catches_a_smuggled_script_or_handler(sign_in_as):
    """A check that cannot fail guards nothing: feed it the injections it exists to catch."""
    html = sign_in_as("omar@psychiatry.test").get("/").get_data(as_text=True)
    baseline = read_page(html)
    assert_page_unbroken(html, baseline, script_tags(html))
    for injected in ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b onmouseover=alert(1)>x</b>",
                     '<a href=" javascript:alert(1)">x</a>', "<svg><p>x</p></svg>"]:
        smuggled = html.replace("<h1>Welcome, ", f"<h1>Welcome, {injected}")
        with pytest.raises(AssertionError):
            assert_page_unbroken(smuggled, baseline, script_tags(html), markdown=True)


def test_every_naughty_string_as_a_display_name(sign_in_as, app):
    omar = sign_in_as("omar@psychiatry.test")
    token = csrf_from(omar.get("/profile").get_data(as_text=True))
    assert omar.post("/profile", data={"csrf_token": token, "display_name": "Harmless"}).status_code == 302
    baseline_html = omar.get("/").get_data(as_text=True)  # with its "Profile saved." notice, like the rest
    baseline, baseline_scripts = read_page(baseline_html), script_tags(baseline_html)
    assert baseline_scripts >= 1  # the template's own script, so the comparison means something
    for naughty in NAUGHTY:
        response = omar.post("/profile", data={"csrf_token": token, "display_name": naughty})
        if not fits_a_name(naughty):
            assert response.status_code == 422, repr(naughty)
            refused = read_page(response.get_data(as_text=True))
            assert refused.errors.get("display_name-error"), repr(naughty)
            assert refused.handlers == baseline.handlers, repr(naughty)
            assert script_tags(response.get_data(as_text=True)) == baseline_scripts, repr(naughty)
            continue
        assert response.status_code == 302, (naughty, response.get_data(as_text=True)[:300])
        shown = normalise_name(naughty.strip())
        assert display_name_of(app, "omar@psychiatry.test") == shown, repr(naughty)
        home = omar.get("/")
        assert home.status_code == 200, repr(naughty)
        html = home.get_data(as_text=True)
        assert f"Welcome, {escape(shown)}</h1>" in html, repr(naughty)
        assert_page_unbroken(html, baseline, baseline_scripts)


def test_every_naughty_string_as_a_space_title_and_purpose(sign_in_as, app, ids, priya_api):
    priya = sign_in_as("priya@psychiatry.test")
    api = app.test_client()
    created = api.post("/api/v1/spaces", json=proposal(ids, title="Harmless", purpose="Harmless."), headers=priya_api)
    baseline_html = priya.get(f"/spaces/{created.get_json()['id']}").get_data(as_text=True)
    baseline, baseline_scripts = read_page(baseline_html), script_tags(baseline_html)
    assert baseline_scripts >= 1
    for number, naughty in enumerate(NAUGHTY):
        title = naughty if fits_a_name(naughty) else f"Naughty string {number}"
        response = api.post("/api/v1/spaces", headers=priya_api,
                            json=proposal(ids, title=title, purpose=naughty, ground_rules=naughty))
        if not naughty.strip():
            assert_field_problem(response, "purpose", "required")
            continue
        assert response.status_code == 201, (naughty, response.get_data(as_text=True)[:300])
        space_id = response.get_json()["id"]
        shown = normalise_name(title.strip())

        page = priya.get(f"/spaces/{space_id}")
        assert page.status_code == 200, repr(naughty)
        html = page.get_data(as_text=True)
        assert f"<h1>{escape(shown)}</h1>" in html, repr(naughty)
        assert_page_unbroken(html, baseline, baseline_scripts, markdown=True)

        got = api.get(f"/api/v1/spaces/{space_id}", headers=priya_api)
        assert got.status_code == 200, repr(naughty)
        body = got.get_json()
        assert (body["title"], body["purpose"], body["ground_rules"]) == (shown, naughty.strip(), naughty.strip()), \
            repr(naughty)

    listing = priya.get("/spaces")
    assert listing.status_code == 200
    assert script_tags(listing.get_data(as_text=True)) == script_tags(priya.get("/").get_data(as_text=True))


def test_every_naughty_string_through_the_service_survives_a_round_trip(app):
    """The service is what every surface shares: each string is stored and read back as given."""
    from workspace.spaces.services import propose_space
    with app.app_context():
        psychiatry = db.session.scalar(select(Community).where(Community.slug == "psychiatry"))
        social_work = db.session.scalar(select(Community).where(Community.slug == "social-work"))
        priya = find_user_by_email("priya@psychiatry.test")
        made = []
        for naughty in NAUGHTY:
            if naughty.strip():
                made.append((naughty, propose_space(proposing=psychiatry, invited=[social_work], title="Naughty",
                                                    purpose=naughty, ground_rules=naughty, actor=priya).id))
        db.session.commit()
        db.session.expire_all()
        for naughty, space_id in made:
            space = db.session.get(Space, space_id)
            assert (space.purpose, space.ground_rules) == (naughty.strip(), naughty.strip()), repr(naughty)
