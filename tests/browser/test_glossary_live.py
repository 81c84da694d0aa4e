"""In two real browsers: a steward adds a bridge, and the other reader's open space page re-annotates
live, reachable and readable by keyboard. Also the CodeMirror underline extension on its own."""
import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest

from tests.live_server import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.live]


def tab_to(page, predicate_js: str, limit: int = 120):
    """Press Tab until the focused element satisfies `predicate_js` (a JS function of the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return
    raise AssertionError("never reached the element with the keyboard")


def test_steward_adds_a_bridge_and_the_other_readers_page_explains_it_live(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    reader = browsing.sign_in("priya@psychiatry.test")
    reader.goto(f"/spaces/{space_id}")
    expect(reader.locator("#presence-state")).to_have_attribute("data-state", "connected")
    # Keyboard only: reach the mark for Social Work's "referring" and open it.
    tab_to(reader, "el => el.matches('button.term') && el.textContent === 'referring'")
    reader.keyboard.press("Enter")
    popover = reader.get_by_role("region", name="Glossary: referring")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("No bridge into Psychiatry yet.")
    expect(reader.locator("button.term", has_text="referring")).to_have_attribute("aria-expanded", "true")

    steward = browsing.sign_in("sam@socialwork.test")
    steward.goto(f"/spaces/{space_id}/glossary")
    steward.select_option("#from_term_id", label="referral (Social Work)")
    steward.select_option("#relation", "related")
    steward.select_option("#to_term_id", label="discharge (Psychiatry)")
    steward.click("text=Propose bridge")
    expect(steward.locator(".flashes")).to_contain_text("Bridge proposed")

    # No reload: the open popover is re-annotated in place and keeps keyboard focus.
    expect(popover).to_contain_text("In Psychiatry, a related term is discharge", timeout=5000)
    assert reader.evaluate("document.activeElement.matches('button.term') && document.activeElement.textContent") \
        == "referring"
    expect(reader.locator("#glossary-live")).to_contain_text("The glossary changed")
    # Readable by keyboard: Tab moves into the popover (its link), Escape closes it and returns focus.
    reader.keyboard.press("Tab")
    assert reader.evaluate("!!document.activeElement.closest('.term-popover')")
    reader.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    assert reader.evaluate("document.activeElement.textContent") == "referring"
    expect(reader.locator("button.term", has_text="referring")).to_have_attribute("aria-expanded", "false")
    assert browsing.errors == []


def test_reader_toggles_read_in_my_words(live_server, browsing):
    from playwright.sync_api import expect

    page = browsing.sign_in("sam@socialwork.test")
    page.goto(f"/spaces/{live_server.space_id('Referral guidelines')}")
    toggle = page.get_by_role("button", name="Read in my words")
    expect(page.locator("[data-glossary-fragment=ground_rules] button.term", has_text="patients")).to_have_count(1)
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#read-in-my-words-note")).to_be_visible()
    expect(page.locator("[data-glossary-fragment=ground_rules]")).to_have_attribute("data-mode", "mine")
    assert browsing.errors == []


# --- the document editor -----------------------------------------------------------------------

def api_post(page, path: str, data: dict) -> dict:
    """POST to the API with the page's session cookie and its CSRF token, as the page's own scripts do."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(f"/api/v1{path}", data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def open_new_document(page, space_id: int, text: str) -> int:
    """Start a document in `space_id` holding `text` and open it, live (the space's room joined too)."""
    from playwright.sync_api import expect

    document_id = api_post(page, f"/spaces/{space_id}/documents",
                           {"title": f"Glossary check {uuid.uuid4().hex[:6]}", "text": text})["id"]
    page.goto(f"/documents/{document_id}")
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "saved")
    expect(page.locator("#document")).to_have_attribute("data-live-glossary", "on")
    return document_id


def test_steward_adds_a_bridge_and_the_other_readers_open_document_explains_it_live(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    reader = browsing.sign_in("priya@psychiatry.test")
    open_new_document(reader, space_id, "We start from strengths-based practice.\n")
    reader.evaluate("window.noReloadMarker = true")
    # The preview: Social Work's term is marked for a psychiatrist; open it with the keyboard alone.
    tab_to(reader, "el => el.matches('#preview button.term') && el.textContent === 'strengths-based practice'")
    reader.keyboard.press("Enter")
    popover = reader.locator("#preview").get_by_role("region", name="Glossary: strengths-based practice")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("No bridge into Psychiatry yet.")
    # The editor: the same term underlined; the cursor inside it (keyboard) shows its popover.
    reader.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    expect(reader.locator(".cm-term")).to_have_text("strengths-based practice")
    reader.locator(".cm-content").focus()
    reader.keyboard.press("Control+Home")
    for _ in range(len("We start from st")):
        reader.keyboard.press("ArrowRight")
    tooltip = reader.locator(".term-popover.cm-tooltip")
    expect(tooltip).to_contain_text("strengths-based practice in Social Work")
    expect(reader.locator("#editor-term-announce")).to_contain_text("Glossary term: strengths-based practice, Social Work")

    steward = browsing.sign_in("sam@socialwork.test")
    steward.goto(f"/spaces/{space_id}/glossary")
    steward.select_option("#from_term_id", label="strengths-based practice (Social Work)")
    steward.select_option("#relation", "related")
    steward.select_option("#to_term_id", label="formulation (Psychiatry)")
    steward.click("text=Propose bridge")
    expect(steward.locator(".flashes")).to_contain_text("Bridge proposed")

    # No reload: the editor's popover and the preview's entry both explain the bridge now.
    expect(tooltip).to_contain_text("related: “formulation”.", timeout=5000)
    expect(reader.locator("#glossary-live")).to_contain_text("The glossary changed")
    tab_to(reader, "el => el.matches('#preview button.term') && el.textContent === 'strengths-based practice'")
    reader.keyboard.press("Enter")
    expect(popover).to_contain_text("In Psychiatry, a related term is formulation")
    reader.keyboard.press("Tab")  # readable by keyboard: Tab moves into the popover
    assert reader.evaluate("!!document.activeElement.closest('#preview .term-popover')")
    reader.keyboard.press("Escape")
    expect(popover).to_have_count(0)
    assert reader.evaluate("document.activeElement.textContent") == "strengths-based practice"
    assert reader.evaluate("window.noReloadMarker") is True, "the page reloaded"
    assert browsing.errors == []


def test_open_preview_re_annotates_in_place_keeping_the_open_popover(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    reader = browsing.sign_in("priya@psychiatry.test")
    open_new_document(reader, space_id, "Ask for advocacy early.\n")
    reader.evaluate("window.noReloadMarker = true")
    tab_to(reader, "el => el.matches('#preview button.term') && el.textContent === 'advocacy'")
    reader.keyboard.press("Enter")
    popover = reader.locator("#preview").get_by_role("region", name="Glossary: advocacy")
    expect(popover).to_contain_text("No bridge into Psychiatry yet.")

    steward = browsing.sign_in("sam@socialwork.test")
    steward.goto(f"/spaces/{space_id}/glossary")
    steward.select_option("#from_term_id", label="advocacy (Social Work)")
    steward.select_option("#relation", "related")
    steward.select_option("#to_term_id", label="capacity (Psychiatry)")
    steward.click("text=Propose bridge")
    expect(steward.locator(".flashes")).to_contain_text("Bridge proposed")

    # Swapped in place: the popover is still open on the same mark, which still has keyboard focus.
    expect(popover).to_contain_text("In Psychiatry, a related term is capacity", timeout=5000)
    assert reader.evaluate("document.activeElement.matches('#preview button.term') "
                           "&& document.activeElement.textContent") == "advocacy"
    assert reader.evaluate("window.noReloadMarker") is True, "the page reloaded"
    assert browsing.errors == []


def test_writer_gets_gentle_jargon_hints_and_reads_the_preview_in_their_words(live_server, browsing):
    from playwright.sync_api import expect

    writer = browsing.sign_in("sam@socialwork.test")
    open_new_document(writer, live_server.space_id("Crisis response policy 2027"), "")
    writer.locator(".cm-content").click()
    writer.keyboard.type("The patient has a case, known to XYZQ.")
    hints = writer.locator("#jargon-hints-list li")
    expect(hints.filter(has_text="XYZQ")).to_contain_text("Unknown acronym")
    expect(hints.filter(has_text="“case”")).to_contain_text("False friend")
    expect(writer.locator("#jargon-hints-status")).to_contain_text("“XYZQ”")
    add = writer.get_by_role("link", name="Add “XYZQ” to the glossary")
    expect(add).to_have_attribute("href", re.compile(r"/communities/social-work/glossary/new\?term=XYZQ$"))
    expect(writer.locator(".cm-jargon-hint").filter(has_text="XYZQ")).to_have_count(1)
    writer.get_by_role("button", name="Show “XYZQ” in the text").click()
    assert writer.evaluate("(() => { const v = window.conveneEditor.view; const s = v.state.selection.main;"
                           " return v.state.sliceDoc(s.from, s.to); })()") == "XYZQ"
    assert writer.locator(".cm-content").evaluate("el => el.contains(document.activeElement)")

    toggle = writer.get_by_role("button", name="Read in my words")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(writer.locator("#read-in-my-words-note")).to_be_visible()
    expect(writer.locator("#read-in-my-words-note")).to_contain_text("Reading aid")
    replaced = writer.locator("#preview .in-my-words")
    expect(replaced.locator(".in-my-words__mine")).to_have_text("client")
    expect(replaced).to_contain_text("(written: patient)")
    expect(writer.locator("#preview [data-glossary-fragment=preview]")).to_have_attribute("data-mode", "mine")
    writer.locator(".cm-content").focus()
    writer.keyboard.press("Control+End")
    writer.keyboard.type(" Another patient.")
    expect(writer.locator("#preview .in-my-words__mine")).to_have_count(2)  # still in my words as I type
    toggle.click()
    expect(writer.locator("#preview .in-my-words")).to_have_count(0)
    assert browsing.errors == []


EDITOR_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>editor</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="app.css"></head>
<body><div id="editor"></div><p id="announce" aria-live="polite"></p><script src="editor.js"></script></body></html>"""

EDITOR_ENTRY = """
import { EditorView, keymap } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap } from "@codemirror/commands";
import { glossaryUnderline, setGlossaryTerms } from "%s";
const terms = [
  {id: 1, forms: ["case", "cases"], kind: "false_friend", title: "case", community: "Community Policing",
   lines: ["An investigation.", "False friend of “case”."]},
  {id: 2, forms: ["a.*b"], kind: "term", title: "a.*b", community: "Test", lines: ["<img src=x onerror=alert(1)>"]},
];
const view = new EditorView({
  state: EditorState.create({doc: "Two cases and a showcase, a.*b here.",
    extensions: [keymap.of(defaultKeymap), glossaryUnderline({terms, announce: document.getElementById("announce")})]}),
  parent: document.getElementById("editor"),
});
window.view = view;
window.addTerms = () => view.dispatch({effects: setGlossaryTerms.of([...terms,
  {id: 3, forms: ["showcase"], kind: "loaded", title: "showcase", community: "X", lines: ["Loaded."]}])});
"""


def test_codemirror_underlines_terms_and_opens_the_popover_on_keyboard_focus(tmp_path, browser):
    from playwright.sync_api import expect

    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        pytest.skip("esbuild is not installed")
    entry = tmp_path / "entry.js"
    entry.write_text(EDITOR_ENTRY % (ROOT / "static" / "src" / "lib" / "glossary-editor.js"))
    subprocess.run([str(esbuild), str(entry), "--bundle", "--format=iife", f"--outfile={tmp_path / 'editor.js'}",
                    "--log-level=error"], cwd=ROOT, check=True,
                   env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")})
    shutil.copy(ROOT / "static" / "css" / "app.css", tmp_path / "app.css")
    (tmp_path / "index.html").write_text(EDITOR_PAGE)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((tmp_path / "index.html").as_uri())
    assert errors == []
    marks = page.locator(".cm-term")
    expect(marks).to_have_count(2)
    expect(page.locator(".cm-term--false-friend")).to_have_text("cases")
    assert page.locator(".cm-term").nth(1).text_content() == "a.*b"  # metacharacters matched as typed
    page.click(".cm-content")
    page.keyboard.press("Control+Home")
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # into "cases" by keyboard
    tooltip = page.locator(".term-popover.cm-tooltip")  # CodeMirror styles our popover node as the tooltip
    expect(tooltip).to_contain_text("An investigation.")
    expect(tooltip).to_contain_text("False friend")
    expect(page.locator("#announce")).to_contain_text("False friend: case, Community Policing")
    page.keyboard.press("End")
    expect(tooltip).to_have_count(0)
    page.evaluate("window.addTerms()")
    expect(page.locator(".cm-term--loaded")).to_have_text("showcase")
    page.hover(".cm-term >> text=a.*b")
    hover = page.locator(".cm-tooltip-hover .term-popover, .term-popover.cm-tooltip-hover")
    expect(hover).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text, never as markup
    assert page.locator(".term-popover img").count() == 0
    page.close()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))
