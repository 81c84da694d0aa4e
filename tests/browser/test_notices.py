"""In two real browsers: a new person asks to join Social Work, and the steward's open page shows the
notice count go up without a reload; the notice names the community and the count can be read."""
import re

import pytest

from tests.live_server import register

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_steward_sees_the_notice_count_change_live_when_someone_asks_to_join(live_server, browsing):
    from playwright.sync_api import expect

    steward = browsing.sign_in("sam@socialwork.test")
    link = steward.locator("#notices-link")
    expect(link).to_have_attribute("data-live", "connected")
    before = int(link.get_attribute("data-unread"))

    newcomer_email = register(live_server, display_name="Nadia Newcomer")
    newcomer = browsing.sign_in(newcomer_email)
    newcomer.goto("/communities/social-work")
    newcomer.get_by_label("Message").fill("I coordinate the night shelter's volunteers.")
    newcomer.get_by_role("button", name="Send request").click()

    # No reload on the steward's side: the count arrives over Socket.IO after the request commits.
    expect(link).to_have_attribute("data-unread", str(before + 1))
    expect(link.locator(".count")).to_have_text(f"{before + 1} unread")
    expect(steward.locator("#notices-announcer")).to_have_text(
        f"{before + 1} unread notice{'' if before == 0 else 's'}.")  # heard, not only seen

    link.click()
    expect(steward.get_by_role("heading", level=1)).to_have_text("Notices")
    notice = steward.locator("li.notice-line", has_text="Nadia Newcomer asks to join “Social Work”")
    expect(notice).to_have_count(1)
    expect(notice.get_by_role("link")).to_have_attribute("href", re.compile(r"/communities/social-work$"))
    # Mark it read from the keyboard; the header count follows.
    notice.get_by_role("button", name=re.compile(r"^Mark as read")).focus()
    steward.keyboard.press("Enter")
    expect(steward.locator("#notices-link")).to_have_attribute("data-unread", str(before))
    assert browsing.errors == []
