"""In two real browsers: a new person asks to join Social Work, and the steward's open page shows the
notice count go up without a reload; the notice names the community and the count can be read."""
import re
import uuid

import pytest

from tests.live_server import register

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_steward_sees_the_notice_count_change_live_when_someone_asks_to_join(live_server, browsing):
    from playwright.sync_api import expect

    # A community of its own: other tests (the permission rows) ask to join the demo's, and notices of
    # one kind on one thing are grouped ("2 people ask to join …"), which would hide Nadia's name.
    slug = f"night-shelter-{uuid.uuid4().hex[:6]}"
    live_server.flask("create-community", "Night Shelter Volunteers", "--slug", slug)
    live_server.flask("add-member", slug, "sam@socialwork.test", "--role", "steward")
    steward = browsing.sign_in("sam@socialwork.test")
    link = steward.locator("#notices-link")
    expect(link).to_have_attribute("data-live", "connected")
    before = int(link.get_attribute("data-unread"))

    newcomer_email = register(live_server, display_name="Nadia Newcomer")
    newcomer = browsing.sign_in(newcomer_email)
    newcomer.goto(f"/communities/{slug}")
    newcomer.get_by_label("Message").fill("I coordinate the night shelter's volunteers.")
    newcomer.get_by_role("button", name="Send request").click()

    # No reload on the steward's side: the count arrives over Socket.IO after the request commits.
    expect(link).to_have_attribute("data-unread", str(before + 1))
    expect(link.locator(".count")).to_have_text(f"{before + 1} unread")
    expect(steward.locator("#notices-announcer")).to_have_text(
        f"{before + 1} unread notice{'' if before == 0 else 's'}.")  # heard, not only seen

    link.click()
    expect(steward.get_by_role("heading", level=1)).to_have_text("Notices")
    notice = steward.locator("li.notice-line", has_text="Nadia Newcomer asks to join “Night Shelter Volunteers”")
    expect(notice).to_have_count(1)
    expect(notice.get_by_role("link")).to_have_attribute("href", re.compile(rf"/communities/{slug}$"))
    # Mark it read from the keyboard; the header count follows.
    notice.get_by_role("button", name=re.compile(r"^Mark as read")).focus()
    steward.keyboard.press("Enter")
    expect(steward.locator("#notices-link")).to_have_attribute("data-unread", str(before))
    assert browsing.errors == []
