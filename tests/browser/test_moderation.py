"""In real browsers, across the boundary: a Community Policing member flags a Social Work member's comment, the
Policing moderator sees it arrive live in the queue and hides it with a reason, the author sees why in place,
appeals once, the appeal goes to Psychiatry (the third community), whose moderator restores it."""
import uuid

import pytest
import requests

from tests.browser.axe import check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_flag_queue_hide_author_sees_why_appeal_restored(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    words = f"Night cover is a police job, not ours {uuid.uuid4().hex[:6]}"
    token = live_server.create_token("maria@socialwork.test")
    posted = requests.post(f"{live_server.url}/api/v1/spaces/{space_id}/comments", json={"body": words}, timeout=10,
                           headers={"Authorization": f"Bearer {token}"})
    assert posted.status_code == 201, posted.text
    comment_id = posted.json()["id"]

    # The Policing steward moderates this space by default: the queue is open, joined to its live room.
    moderator = browsing.sign_in("lee@policing.test")
    moderator.goto(f"/spaces/{space_id}/moderation")
    expect(moderator.locator("#queue-live")).to_have_attribute("data-joined", "yes")
    check_accessibility(moderator)

    # The author has the space open.
    author = browsing.sign_in("maria@socialwork.test")
    author.goto(f"/spaces/{space_id}#comment-{comment_id}")
    expect(author.locator("#presence-state")).to_have_attribute("data-state", "connected")

    # A member flags it with a reason; the flag hides nothing.
    flagger = browsing.sign_in("jo@policing.test")
    flagger.goto(f"/spaces/{space_id}#comment-{comment_id}")
    comment = flagger.locator(f"#comment-{comment_id}")
    comment.locator("summary", has_text="Flag").click()
    comment.get_by_label("Reason").select_option("disrespect")
    comment.get_by_label("Note (needed for “Other”)").fill("Generalises about police officers")
    comment.get_by_role("button", name="Send the flag").click()
    expect(flagger.locator(f"#comment-{comment_id} .comment__body")).to_contain_text(words)

    # The moderator's queue shows it live, with the flagger's community and the author's.
    item = moderator.locator(".moderation-item", has_text="Comment")
    expect(item.filter(has_text="Generalises about police officers")).to_have_count(1)
    expect(item.filter(has_text="Generalises about police officers")).to_contain_text("(Community Policing)")
    item.filter(has_text="Generalises about police officers").get_by_role("link").click()
    moderator.get_by_label("Reason for hiding (the author and readers see it)").fill("Stereotypes a profession")
    moderator.get_by_role("button", name="Hide").click()
    expect(moderator.locator("#item-status")).to_have_text("hidden")
    check_accessibility(moderator)
    item_url = moderator.url

    # The author's open page shows why, in place, without a reload.
    why = "Hidden by a moderator from Community Policing: Stereotypes a profession"
    expect(author.locator(f"#comment-{comment_id} [data-hidden-note]")).to_have_text(why)
    expect(author.locator(f"#comment-{comment_id}")).not_to_contain_text(words)
    check_accessibility(author)

    # The author appeals, once; it goes to Psychiatry, the third community.
    author.goto(item_url)
    author.get_by_label("Why this should be restored").fill("I was quoting our union's leaflet, to discuss it")
    author.get_by_role("button", name="Send the appeal").click()
    expect(author.locator("#item-appeal")).to_contain_text("to a moderator from Psychiatry")
    expect(author.get_by_role("button", name="Send the appeal")).to_have_count(0)

    psychiatry = browsing.sign_in("priya@psychiatry.test")
    psychiatry.goto(item_url)
    psychiatry.get_by_label("Why", exact=True).last.fill("A quotation, put up for discussion")
    psychiatry.get_by_role("button", name="Decide").click()
    expect(psychiatry.locator("#item-status")).to_have_text("restored")

    author.goto(f"/spaces/{space_id}#comment-{comment_id}")
    expect(author.locator(f"#comment-{comment_id} .comment__body")).to_contain_text(words)
    author.goto(f"/spaces/{space_id}/moderation-log")
    log = author.locator("#moderation-log")
    expect(log).to_contain_text("restored on appeal")
    expect(log).to_contain_text("A quotation, put up for discussion")
    expect(log).not_to_contain_text("Jo Nakamura")
    check_accessibility(author)
    author.goto(f"/spaces/{space_id}/participation")
    expect(author.locator("svg.participation-chart").first).to_be_visible()
    check_accessibility(author)
    assert browsing.errors == []


def test_the_participation_balance_follows_contributions_live(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    reader = browsing.sign_in("priya@psychiatry.test")
    reader.goto(f"/spaces/{space_id}")
    expect(reader.locator("#presence-state")).to_have_attribute("data-state", "connected")
    row = reader.locator("#participation-summary tr", has_text="Social Work")
    before = row.locator("td").first.inner_text()
    count = int(before.split("(")[1].rstrip(")"))
    token = live_server.create_token("maria@socialwork.test")
    posted = requests.post(f"{live_server.url}/api/v1/spaces/{space_id}/comments", json={"body": "Counted live"},
                           timeout=10, headers={"Authorization": f"Bearer {token}"})
    assert posted.status_code == 201, posted.text
    expect(row.locator("td").first).to_contain_text(f"({count + 1})")
    assert browsing.errors == []
