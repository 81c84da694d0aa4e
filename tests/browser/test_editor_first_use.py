"""Issue 8, the editor items, as a new user meets them in Chromium at 1280 px and 390 px: readable
glossary popovers that open on hover and focus (editor and preview), a formatting toolbar and a
writing view for people who do not write Markdown, undo that only undoes your own edits, co-authors'
cursor labels that get out of the way, and the editor bundle served compressed and cacheable.
"""
import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.live_server import REFERRAL, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.live]

PRIYA, SAM = "priya@psychiatry.test", "sam@socialwork.test"
WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


# --- helpers ----------------------------------------------------------------------------------

def new_document(page, space_id: int, text: str = "") -> int:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(f"/api/v1/spaces/{space_id}/documents", headers={"X-CSRFToken": token},
                                 data={"title": f"First use {uuid.uuid4().hex[:6]}", "text": text})
    assert response.ok, response.text()
    return response.json()["id"]


def open_document(page, document_id: int) -> None:
    page.goto(f"/documents/{document_id}")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "saved")


def ytext(page) -> str:
    return page.evaluate("window.conveneEditor.ytext.toString()")


def within_viewport(page, locator) -> None:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)


def readable(locator) -> None:
    """A popover people can read: lines of words, not one letter per line."""
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 200, box
    assert box["height"] < 300, box


def axe_check(page, label: str) -> None:
    """axe-core over the whole page: no serious or critical violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;0")  # evaluated by the browser's debugger: not subject to CSP
    result = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    }""")
    assert result == [], f"{label}: " + json.dumps(result, indent=1)


# --- 1. glossary popovers ---------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_editor_glossary_popover_is_readable_and_stays_in_the_viewport(live_server, browsing, viewport):
    page = browsing.sign_in(PRIYA)
    page.set_viewport_size(viewport)
    document_id = new_document(page, live_server.space_id(REFERRAL), "We start from strengths-based practice.\n")
    open_document(page, document_id)
    term = page.locator(".cm-term", has_text="strengths-based practice")
    expect(term).to_be_visible()

    term.hover()  # the mouse
    hover = page.locator(".cm-tooltip-hover .term-popover")
    expect(hover).to_contain_text("strengths-based practice in Social Work")
    readable(hover)
    within_viewport(page, hover)

    page.mouse.move(0, 0)
    expect(hover).to_have_count(0)
    page.locator(".cm-content").focus()  # the keyboard: the cursor inside the term
    page.keyboard.press("Control+Home")
    for _ in range(len("We start from st")):
        page.keyboard.press("ArrowRight")
    tooltip = page.locator(".term-popover.cm-tooltip").first
    expect(tooltip).to_contain_text("strengths-based practice in Social Work")
    readable(tooltip)
    within_viewport(page, tooltip)
    axe_check(page, f"document page with the editor's popover open at {viewport['width']} px")
    assert browsing.errors == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_preview_glossary_marks_open_on_hover_and_on_keyboard_focus(live_server, browsing, viewport):
    page = browsing.sign_in(PRIYA)
    page.set_viewport_size(viewport)
    document_id = new_document(page, live_server.space_id(REFERRAL),
                               "Our words for the same work differ a great deal, and strengths-based practice is one.\n")
    open_document(page, document_id)
    mark = page.locator("#preview button.term", has_text="strengths-based practice")
    popover = page.locator("#preview").get_by_role("region", name="Glossary: strengths-based practice")

    mark.hover()  # hover alone opens it
    expect(popover).to_be_visible()
    expect(mark).to_have_attribute("aria-expanded", "true")
    readable(popover)
    within_viewport(page, popover)
    popover.hover()  # the pointer can move into it to read and follow its links
    expect(popover).to_be_visible()
    page.mouse.move(0, 0)
    expect(popover).to_have_count(0)

    mark.focus()  # keyboard focus alone opens it
    expect(popover).to_be_visible()
    within_viewport(page, popover)
    axe_check(page, f"document page with the preview's popover open at {viewport['width']} px")
    page.keyboard.press("Tab")  # moving on closes it, without a detour through its links
    expect(popover).to_have_count(0)
    assert not page.evaluate("!!document.activeElement.closest('.term-popover')")

    mark.focus()
    page.keyboard.press("Enter")  # Enter keeps it open: Tab now reaches its contents
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#preview .term-popover')")
    page.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    expect(mark).to_be_focused()
    assert browsing.errors == []
