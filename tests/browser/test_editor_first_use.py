"""Issue 8, the editor items, as a new user meets them in Chromium at 1280 px and 390 px: readable
glossary popovers that open on hover and focus (editor and preview), a formatting toolbar and a
writing view for people who do not write Markdown, undo that only undoes your own edits, co-authors'
cursor labels that get out of the way, and the editor bundle served compressed and cacheable.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.axe import check_accessibility
from tests.live_server import REFERRAL

pytestmark = [pytest.mark.browser, pytest.mark.live]

PRIYA, SAM = "priya@psychiatry.test", "sam@socialwork.test"
WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


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


def wait_for_text(page, text: str, *, exact: bool = True) -> None:
    """Wait until the page's copy of the document is (or holds) `text` (a function: CSP forbids eval)."""
    page.wait_for_function("([t, exact]) => { const s = window.conveneEditor.ytext.toString(); "
                           "return exact ? s === t : s.includes(t); }", arg=[text, exact])


def within_viewport(page, locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)


def readable(locator) -> None:
    """A popover people can read: lines of words, not one letter per line."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 200, box
    assert box["height"] < 300, box


def axe_check(page, label: str) -> None:
    check_accessibility(page, label)


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


# --- 13. writing without knowing Markdown -------------------------------------------------------

def line(page, text: str):
    return page.locator(".cm-line", has_text=text)


def move_to_line(page, number: int) -> None:
    """Put the cursor at the start of a line with the keyboard (the editor has focus)."""
    page.keyboard.press("Control+Home")
    for _ in range(number - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_toolbar_and_writing_view_format_without_markdown(live_server, browsing, viewport):
    page = browsing.sign_in(PRIYA)
    page.set_viewport_size(viewport)
    page.goto("/")
    page.evaluate("localStorage.clear()")
    document_id = new_document(page, live_server.space_id(REFERRAL),
                               "Plan for the meeting\nWe agree on the steps\nfirst step\nsecond step\nlast words\n")
    open_document(page, document_id)
    toolbar = page.get_by_role("toolbar", name="Formatting")
    for name in ("Bold", "Italic", "Heading 1", "Heading 2", "Heading 3", "Bulleted list", "Numbered list",
                 "Link", "Quote", "Undo", "Redo"):
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(toolbar.get_by_role("button", name="Bold")).to_have_attribute("aria-keyshortcuts", "Control+B")
    expect(page.locator("#editor-mode")).to_have_attribute("aria-pressed", "false")  # the writing view is the default

    # Keyboard: the toolbar is one Tab stop; the arrow keys, Home and End move inside it.
    page.locator("#toggle-authors").focus()
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Redo")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Bold")).to_be_focused()
    assert toolbar.locator("button[tabindex='0']").count() == 1

    # Bold with the usual shortcut, on the word at the cursor.
    page.locator(".cm-content").focus()
    move_to_line(page, 2)
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+ArrowRight")  # inside or after "agree"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Control+b")
    expect(page.locator(".cm-wv-strong")).to_have_text(re.compile(r"^\**agree\**$"))
    expect(page.locator("#format-announce")).to_have_text("Bold")  # said to screen readers
    assert "We **agree** on the steps" in ytext(page)

    # A heading from the toolbar, with the mouse; the editor keeps focus.
    move_to_line(page, 1)
    toolbar.get_by_role("button", name="Heading 2").click()
    expect(page.locator(".cm-content")).to_be_focused()
    assert ytext(page).startswith("## Plan for the meeting\n")
    expect(toolbar.get_by_role("button", name="Heading 2")).to_have_attribute("aria-pressed", "true")

    # A bulleted list over two selected lines; a quote; a link, typed over its address.
    move_to_line(page, 3)
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Control+Shift+8")
    assert "\n- first step\n- second step\n" in ytext(page)
    move_to_line(page, 5)
    toolbar.get_by_role("button", name="Quote").click()
    assert "\n> last words\n" in ytext(page)
    move_to_line(page, 2)
    page.keyboard.press("End")
    page.keyboard.press("Control+Shift+ArrowLeft")  # "steps"
    page.keyboard.press("Control+k")  # a form asks for the address: no Markdown to type
    address = page.get_by_label("Link address")
    expect(address).to_be_focused()
    page.keyboard.press("Enter")  # empty: said beside the field, nothing written
    expect(page.get_by_text("Type the address the link goes to.")).to_be_visible()
    expect(address).to_have_attribute("aria-invalid", "true")
    address.fill("example.org/plan")
    page.keyboard.press("Enter")
    expect(page.locator(".cm-content")).to_be_focused()
    expect(address).to_be_hidden()
    assert "We **agree** on the [steps](https://example.org/plan)" in ytext(page)
    move_to_line(page, 6)  # away from the formatted lines: their markup is hidden

    # Formatted in place: no **, ##, -, > or link address on screen, the words styled instead.
    expect(line(page, "Plan for the meeting")).to_have_text("Plan for the meeting")
    expect(line(page, "Plan for the meeting")).to_have_class(re.compile(r"cm-wv-h2"))
    expect(line(page, "agree")).to_have_text("We agree on the steps")
    expect(page.locator(".cm-wv-strong")).to_have_text("agree")
    expect(page.locator(".cm-wv-link")).to_have_text("steps")
    expect(line(page, "first step")).to_have_text(re.compile(r"^•\s*first step\s*$"))
    expect(line(page, "last words")).to_have_text("last words")
    expect(line(page, "last words")).to_have_class(re.compile(r"cm-wv-quote"))
    move_to_line(page, 2)  # markup shows only around the cursor, to see and change it
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+ArrowRight")  # in "agree"
    expect(line(page, "agree")).to_have_text("We **agree** on the steps")
    page.keyboard.press("End")  # at the link
    expect(line(page, "agree")).to_have_text("We agree on the [steps](https://example.org/plan)")
    expect(line(page, "Plan for the meeting")).to_have_text("Plan for the meeting")
    move_to_line(page, 6)
    # The stored form is still Markdown: the server's preview renders it.
    expect(page.locator("#preview h2")).to_have_text("Plan for the meeting")
    expect(page.locator("#preview strong")).to_have_text("agree")
    expect(page.locator("#preview a[href='https://example.org/plan']")).to_have_text("steps")
    expect(page.locator("#preview li")).to_have_count(2)
    axe_check(page, f"document page, writing view, at {viewport['width']} px")

    # The plain Markdown view is one click away, and remembered for this person.
    page.locator("#editor-mode").click()
    expect(page.locator("#editor-mode")).to_have_attribute("aria-pressed", "true")
    expect(line(page, "Plan for the meeting")).to_have_text("## Plan for the meeting")
    expect(line(page, "agree")).to_have_text("We **agree** on the [steps](https://example.org/plan)")
    expect(page.locator(".cm-lineNumbers")).to_be_visible()
    axe_check(page, f"document page, Markdown view, at {viewport['width']} px")
    open_document(page, document_id)
    expect(page.locator("#editor-mode")).to_have_attribute("aria-pressed", "true")
    expect(line(page, "Plan for the meeting")).to_have_text("## Plan for the meeting")
    page.locator("#editor-mode").click()
    expect(line(page, "Plan for the meeting")).to_have_text("Plan for the meeting")
    assert browsing.errors == []


def test_each_format_toggles_back_and_lists_convert(live_server, browsing):
    page = browsing.sign_in(PRIYA)
    document_id = new_document(page, live_server.space_id(REFERRAL), "Title here\none\ntwo\n")
    open_document(page, document_id)
    toolbar = page.get_by_role("toolbar", name="Formatting")
    page.locator(".cm-content").focus()
    move_to_line(page, 2)
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+End")
    toolbar.get_by_role("button", name="Numbered list").click()
    assert ytext(page) == "Title here\n1. one\n2. two\n"
    expect(toolbar.get_by_role("button", name="Numbered list")).to_have_attribute("aria-pressed", "true")
    toolbar.get_by_role("button", name="Bulleted list").click()  # a numbered list becomes a bulleted one
    assert ytext(page) == "Title here\n- one\n- two\n"
    toolbar.get_by_role("button", name="Bulleted list").click()  # and back to plain lines
    assert ytext(page) == "Title here\none\ntwo\n"

    move_to_line(page, 1)
    page.keyboard.press("Control+Alt+1")
    assert ytext(page).startswith("# Title here\n")
    page.keyboard.press("Control+Alt+1")  # the same level again: a plain line
    assert ytext(page).startswith("Title here\n")
    page.keyboard.press("Control+ArrowRight")  # in "Title"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Control+i")
    assert ytext(page).startswith("*Title* here\n")
    expect(toolbar.get_by_role("button", name="Italic")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Control+i")
    assert ytext(page).startswith("Title here\n")
    expect(page.locator("#format-announce")).to_have_text("Italic off")
    page.keyboard.press("Control+b")
    page.keyboard.press("Control+b")
    assert ytext(page) == "Title here\none\ntwo\n"

    # A link on the word at the cursor; then changed from inside it; Escape leaves the text alone.
    move_to_line(page, 3)
    toolbar.get_by_role("button", name="Link").click()
    address = page.get_by_label("Link address")
    address.fill("example.org/a")
    page.keyboard.press("Enter")
    assert ytext(page) == "Title here\none\n[two](https://example.org/a)\n"
    move_to_line(page, 3)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+k")
    expect(address).to_have_value("https://example.org/a")
    address.fill("https://example.org/b")
    page.get_by_role("button", name="Change link").click()
    assert ytext(page) == "Title here\none\n[two](https://example.org/b)\n"
    page.keyboard.press("Control+k")
    page.keyboard.press("Escape")
    expect(page.locator(".cm-content")).to_be_focused()
    assert ytext(page) == "Title here\none\n[two](https://example.org/b)\n"
    assert browsing.errors == []


def test_undo_in_the_toolbar_only_undoes_your_own_edits(live_server, browsing):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    document_id = new_document(priya, live_server.space_id(REFERRAL), "Start.\n")
    open_document(priya, document_id)
    open_document(sam, document_id)

    priya.locator(".cm-content").focus()
    priya.keyboard.press("Control+End")
    priya.keyboard.type("Priya writes this.")
    wait_for_text(sam, "Priya writes this.", exact=False)
    sam.locator(".cm-content").focus()
    sam.keyboard.press("Control+Home")
    sam.keyboard.type("Sam adds this. ")
    wait_for_text(priya, "Sam adds this.", exact=False)

    undo = priya.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Undo")
    undo.click()
    for page in (priya, sam):  # Priya's words are gone everywhere; Sam's stay
        wait_for_text(page, "Sam adds this. Start.\n")
    expect(undo).to_have_attribute("aria-disabled", "true")  # nothing of Priya's left to undo
    priya.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Redo").click()
    for page in (priya, sam):
        wait_for_text(page, "Sam adds this. Start.\nPriya writes this.")
    # The keyboard does the same.
    priya.locator(".cm-content").focus()
    priya.keyboard.press("Control+z")
    wait_for_text(sam, "Sam adds this. Start.\n")
    assert browsing.errors == []


# --- 12. co-authors' cursor labels --------------------------------------------------------------

def test_a_co_authors_cursor_label_shows_while_they_type_and_then_gets_out_of_the_way(live_server, browsing):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    document_id = new_document(priya, live_server.space_id(REFERRAL), "Some words to write beside.\n")
    open_document(priya, document_id)
    open_document(sam, document_id)
    priya.locator(".cm-content").focus()
    priya.keyboard.press("Control+End")
    label = sam.locator(".cm-ySelectionInfo", has_text="Priya Raman")
    expect(label).to_have_count(1)

    # While Priya keeps typing (a typist inside her page, one letter every 200 ms), Sam sees her name.
    priya.evaluate("""() => { window.typist = setInterval(() => {
        const v = window.conveneEditor.view; const end = v.state.doc.length;
        v.dispatch({ changes: { from: end, insert: 'a' }, selection: { anchor: end + 1 } }); }, 200); }""")
    expect(label).to_have_css("opacity", "1")
    # She stops: a moment later the label no longer covers the text.
    priya.evaluate("clearInterval(window.typist)")
    expect(label).to_have_css("opacity", "0")
    # Hovering her cursor shows the name again.
    sam.locator(".cm-ySelectionCaret").hover()
    expect(label).to_have_css("opacity", "1")
    assert browsing.errors == []


# --- 12. the editor bundle: compressed, cached, by content-hashed name ---------------------------

def test_the_editor_bundle_arrives_compressed_under_a_hashed_name_cached_for_a_year(live_server, browsing):
    page = browsing.sign_in(PRIYA)
    document_id = new_document(page, live_server.space_id(REFERRAL), "Hello.\n")
    with page.expect_response(re.compile(r"/static/dist/document-[A-Z0-9]+\.js$")) as info:
        open_document(page, document_id)
    response = info.value
    headers = response.all_headers()
    assert headers.get("content-encoding") == "gzip", headers
    assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
    assert response.request.sizes()["responseBodySize"] < 220_000  # was 712 KB as sent; 167 KB now
    expect(page.get_by_role("toolbar", name="Formatting")).to_be_visible()  # and it runs
    assert browsing.errors == []
