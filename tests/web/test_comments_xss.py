"""Hostile text through comments: the XSS corpora and the naughty strings go through comment bodies and
mentions, and come out inert in the live payload and in the page (nothing runs, the page is unbroken)."""
import re

import pytest
from sqlalchemy import select

from tests.boards_world import person, space
from tests.shared_data import shared_data
from tests.unit.test_sanitize import COMBINED, MARKDOWN, executable_content
from tests.web.test_bad_input import assert_page_unbroken, read_page, script_tags
from workspace.accounts import services as accounts
from workspace.comments import services
from workspace.communities import services as communities
from workspace.communities.models import Community
from workspace.errors import ValidationError
from workspace.events import pending
from workspace.extensions import db
from workspace.spaces import services as spaces

BLNS = [line for line in shared_data("naughty-strings", "blns.txt").read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("#")]
MENTION_LINK = re.compile(r'<a class="mention mention--(?:person|community)" href="(?:/spaces/\d+#person-\d+|'
                          r'/communities/[a-z0-9-]+)">(.*?)</a>', re.S)


def without_mention_links(html: str) -> str:
    """Mention links are ours (built from escaped parts); check everything else as sanitiser output."""
    return MENTION_LINK.sub(lambda m: m.group(1), html)


def live_html(comment) -> str:
    event = [e for e in pending() if e.payload.get("comment", {}).get("id") == comment.id][-1]
    return event.payload["comment"]["html"]


def post_all(bodies, actor, crisis):
    made, refused = [], []
    for body in bodies:
        try:
            made.append(services.create_comment(space=crisis, actor=actor, body=body))
        except ValidationError as error:
            refused.append((body, error.errors))
    return made, refused


def test_xss_payloads_in_comments_are_inert_live_and_in_the_page(app, sign_in_as):
    baseline_client = sign_in_as("priya@psychiatry.test")
    with app.app_context():
        crisis = space()
        page = f"/spaces/{crisis.id}"
        plain = services.create_comment(space=crisis, actor=person("sam"), body="A plain *thread*")
        services.reply_to(plain, actor=person("lee"), body="A plain reply")
        db.session.commit()
    baseline_html = baseline_client.get(page).get_data(as_text=True)
    baseline, scripts = read_page(baseline_html), script_tags(baseline_html)
    with app.app_context():
        crisis = space()
        made, refused = post_all(COMBINED + MARKDOWN, person("sam"), crisis)
        # only a payload that happens to spell a mention of nobody is refused, with its reason
        assert all("in this space" in errors["body"] for _, errors in refused), refused
        assert len(made) > 900
        for comment in made:
            assert executable_content(without_mention_links(live_html(comment))) == [], comment.body
        db.session.commit()
    html = baseline_client.get(page).get_data(as_text=True)
    assert_page_unbroken(html, baseline, scripts, markdown=True)
    assert "alert" in html  # the words are there to read, disarmed


def test_naughty_strings_are_stored_as_typed_or_refused_with_a_reason(app, sign_in_as):
    with app.app_context():
        crisis = space()
        made, refused = post_all(BLNS, person("sam"), crisis)
        for body, errors in refused:
            assert set(errors) == {"body"} and errors["body"], body
        for comment in made:
            assert comment.body.strip() and executable_content(without_mention_links(live_html(comment))) == []
        db.session.commit()
        page = f"/spaces/{crisis.id}"
        thread = made[len(made) // 2].id
    client = sign_in_as("lee@policing.test")
    response = client.get(page)
    assert response.status_code == 200
    assert client.get(f"/comments/{thread}/thread").status_code == 200


@pytest.mark.parametrize("name", ['"><img src=x onerror=alert(1)>', "<script>alert('name')</script>",
                                  "Robert'); DROP TABLE users;--", "ﷺ مرحبا \u202eevil"])
def test_a_person_with_a_hostile_name_is_mentioned_safely(app, sign_in_as, name):
    with app.app_context():
        crisis = space()
        user = accounts.register_user(email="hostile@convene.test", display_name=name, password="convene-demo")
        social_work = db.session.scalar(select(Community).where(Community.slug == "social-work"))
        communities.add_member(social_work, user, actor=None)
        spaces.join_space(crisis, actor=user, accepts_ground_rules=True)
        comment = services.create_comment(space=crisis, actor=person("sam"), body=f"Over to @[{name}] now")
        assert [m.user_id for m in comment.mentions] == [user.id]
        html = live_html(comment)
        links = MENTION_LINK.findall(html)
        assert len(links) == 1 and "<" not in links[0]
        assert executable_content(without_mention_links(html)) == []
        db.session.commit()
        page, thread = f"/spaces/{crisis.id}", comment.id
    html = sign_in_as("lee@policing.test").get(f"/comments/{thread}/thread").get_data(as_text=True)
    assert "<script>alert('name')" not in html and "<img src=x" not in html
    assert read_page(html).handlers == []
    assert MENTION_LINK.search(html)  # the mention is still a link, with the name as text
