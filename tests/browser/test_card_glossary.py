"""In real browsers, on a card's own page: a steward adds a bridge and the other reader's open card
re-annotates live, reachable and readable by keyboard; "Read in my words"; jargon hints while writing."""
import re
import uuid

import pytest

from tests.browser.test_glossary_live import api_post, tab_to
from tests.live_server import CRISIS, REFERRAL

pytestmark = [pytest.mark.browser, pytest.mark.live]


def open_new_card(page, space_id: int, description: str) -> int:
    """Start a board in `space_id` with one card holding `description`, open the card's page, live."""
    from playwright.sync_api import expect

    board = api_post(page, f"/spaces/{space_id}/boards", {"title": f"Card glossary {uuid.uuid4().hex[:6]}"})
    card = api_post(page, f"/boards/{board['id']}/cards",
                    {"column_id": board["columns"][0]["id"], "title": "Words check", "description": description})
    page.goto(f"/cards/{card['id']}")
    expect(page.locator("#card")).to_have_attribute("data-live-glossary", "on")
    page.evaluate("window.noReloadMarker = true")
    return card["id"]


def test_steward_adds_a_bridge_and_the_other_readers_open_card_explains_it_live(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id(REFERRAL)
    reader = browsing.sign_in("priya@psychiatry.test")
    open_new_card(reader, space_id, "Check the caseload before the visit.\n")
    # Keyboard only: reach Social Work's "caseload" in the description and open it.
    tab_to(reader, "el => el.matches('#card-description button.term') && el.textContent === 'caseload'")
    reader.keyboard.press("Enter")
    popover = reader.locator("#card-description").get_by_role("region", name="Glossary: caseload")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("No bridge into Psychiatry yet.")

    steward = browsing.sign_in("sam@socialwork.test")
    steward.goto(f"/spaces/{space_id}/glossary")
    steward.select_option("#from_term_id", label="caseload (Social Work)")
    steward.select_option("#relation", "related")
    steward.select_option("#to_term_id", label="care coordinator (Psychiatry)")
    steward.click("text=Propose bridge")
    expect(steward.locator(".flashes")).to_contain_text("Bridge proposed")

    # No reload: swapped in place, the popover still open on the same mark, which keeps keyboard focus.
    expect(popover).to_contain_text("In Psychiatry, a related term is care coordinator", timeout=5000)
    assert reader.evaluate("document.activeElement.matches('#card-description button.term') "
                           "&& document.activeElement.textContent") == "caseload"
    expect(reader.locator("#glossary-live")).to_contain_text("The glossary changed")
    reader.keyboard.press("Tab")  # readable by keyboard: Tab moves into the popover
    assert reader.evaluate("!!document.activeElement.closest('#card-description .term-popover')")
    reader.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    assert reader.evaluate("document.activeElement.textContent") == "caseload"
    assert reader.evaluate("window.noReloadMarker") is True, "the page reloaded"
    assert browsing.errors == []


def test_card_reads_in_my_words_and_its_writer_gets_gentle_jargon_hints(live_server, browsing):
    from playwright.sync_api import expect

    writer = browsing.sign_in("sam@socialwork.test")
    open_new_card(writer, live_server.space_id(CRISIS), "The patient has a case.")
    described = writer.locator("#card-description [data-glossary-fragment=description]")
    expect(described.locator("button.term", has_text="patient")).to_have_count(1)

    # Read in my words: a labelled reading aid; the original on keyboard focus.
    toggle = writer.get_by_role("button", name="Read in my words")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(writer.locator("#read-in-my-words-note")).to_contain_text("Reading aid")
    expect(described).to_have_attribute("data-mode", "mine")
    expect(described.locator(".in-my-words__mine")).to_have_text("client")
    original = described.locator(".in-my-words__original")
    expect(original).to_have_text(" (written: patient)")
    tab_to(writer, "el => el.matches('#card-description .in-my-words')")
    assert original.bounding_box()["width"] > 1  # shown beside it while focused
    toggle.click()
    expect(described.locator(".in-my-words")).to_have_count(0)
    expect(toggle).to_have_attribute("aria-pressed", "false")

    # Jargon hints beside the description field, as the writer types; nothing blocks saving.
    field = writer.locator("#card form textarea[name=description]")
    field.click()
    field.press("Control+End")
    field.type(" Known to XYZQ.")
    hints = writer.locator("#jargon-hints-list li")
    expect(hints.filter(has_text="XYZQ")).to_contain_text("Unknown acronym")
    expect(hints.filter(has_text="“case”")).to_contain_text("False friend")
    expect(writer.locator("#jargon-hints-status")).to_contain_text("“XYZQ”")
    expect(writer.get_by_role("link", name="Add “XYZQ” to the glossary")).to_have_attribute(
        "href", re.compile(r"/communities/social-work/glossary/new\?term=XYZQ$"))
    writer.get_by_role("button", name="Show “XYZQ” in the text").click()
    assert writer.evaluate("(() => { const f = document.activeElement;"
                           " return f.name === 'description' && f.value.slice(f.selectionStart, f.selectionEnd); })()") \
        == "XYZQ"
    writer.get_by_role("button", name="Save the card").click()
    expect(writer.locator(".flashes")).to_contain_text("Card saved.")
    expect(writer.locator("#card-description")).to_contain_text("Known to XYZQ.")
    assert browsing.errors == []
