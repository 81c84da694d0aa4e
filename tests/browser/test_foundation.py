"""What a person sees in the browser: registering and signing in, and live presence in a space."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.live_server import REFERRAL

pytestmark = pytest.mark.browser


def test_new_person_registers_signs_in_and_is_welcomed(browsing):
    name = f"Zoë Tester {uuid.uuid4().hex[:6]}"
    email = f"browser-{uuid.uuid4().hex[:10]}@example.test"
    page = browsing.new_page()

    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")
    expect(page.get_by_role("link", name=name)).to_be_visible()  # the header's profile link
    assert browsing.errors == []


def test_two_people_see_each_other_arrive_and_leave_a_space_live(browsing):
    priya = browsing.sign_in("priya@psychiatry.test")
    sam = browsing.sign_in("sam@socialwork.test")

    priya.get_by_role("link", name=REFERRAL).click()
    expect(priya.get_by_role("heading", level=1)).to_have_text(REFERRAL)
    expect(priya.locator("#presence-state")).to_have_attribute("data-state", "connected")
    priya_sees = priya.locator("#presence-list li")
    expect(priya_sees.filter(has_text="Priya Raman")).to_have_count(1)
    expect(priya_sees.filter(has_text="Sam Okafor")).to_have_count(0)
    priya.evaluate("window.noReloadMarker = true")  # gone if the page reloads

    sam.get_by_role("link", name=REFERRAL).click()
    expect(sam.locator("#presence-state")).to_have_attribute("data-state", "connected")

    expect(priya_sees.filter(has_text="Sam Okafor")).to_have_text("Sam Okafor (Social Work)")
    expect(sam.locator("#presence-list li").filter(has_text="Priya Raman")).to_have_text("Priya Raman (Psychiatry)")

    sam.close()

    expect(priya_sees.filter(has_text="Sam Okafor")).to_have_count(0)
    expect(priya_sees.filter(has_text="Priya Raman")).to_have_count(1)
    assert priya.evaluate("window.noReloadMarker") is True
    assert browsing.errors == []
