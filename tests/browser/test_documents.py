"""Co-writing a joint response in the browser (issue 3): two people editing one document live,
offline and back, endorsement by three communities, versions and restore, console errors, 320 px.

Every document is new (created in the test), so the tests do not depend on each other or on the order
they run in. People sign in once per session (see conftest: the sign-in form is rate-limited).
"""
import re
import uuid

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.live_server import CRISIS, REFERRAL

pytestmark = pytest.mark.browser

PRIYA, SAM, LEE = "priya@psychiatry.test", "sam@socialwork.test", "lee@policing.test"
PRIYA_LABEL, SAM_LABEL = "Priya Raman (Psychiatry)", "Sam Okafor (Social Work)"
# What Chromium itself logs while it has no network (a socket's reconnection attempts, a failed load):
# expected only while a test holds a context offline, never otherwise.
OFFLINE_NOISE = re.compile(r"net::ERR_INTERNET_DISCONNECTED")
# A form refused in place is answered 422 with the page and its message; Chromium logs that status.
REFUSED_FORM = re.compile(r"/positions: console error: Failed to load resource: .* 422 ")


# --- helpers ----------------------------------------------------------------------------------

def unique(title: str) -> str:
    return f"{title} {uuid.uuid4().hex[:6]}"


def api_post(page, path: str, data: dict) -> dict:
    """POST to the API with the page's session cookie and its CSRF token, as the page's own scripts do."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(f"/api/v1{path}", data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def create_document(page, space_id: int, title: str, text: str = "") -> int:
    return api_post(page, f"/spaces/{space_id}/documents", {"title": title, "text": text})["id"]


def api_document(page, document_id: int) -> dict:
    response = page.request.get(f"/api/v1/documents/{document_id}")
    assert response.ok, response.text()
    return response.json()


def expect_saved(page) -> None:
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "saved")


def open_document(page, document_id: int) -> None:
    page.goto(f"/documents/{document_id}")
    expect_saved(page)


def document_id_of(page) -> int:
    match = re.search(r"/documents/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


def type_at_end(page, text: str) -> None:
    """Type at the end of the document as a person would, key by key ("\\n" presses Enter).

    Avoid brackets and quotes in `text`: the editor closes them automatically.
    """
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def flush_input(page) -> None:
    """Let the editor finish handling keystrokes already delivered (it reads some input a frame later)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")


def ytext(page) -> str:
    return page.evaluate("window.conveneEditor.ytext.toString()")


def wait_for_text(page, *fragments: str, timeout: float = 15_000) -> None:
    """Wait until the page's copy of the document holds every fragment."""
    page.wait_for_function("(parts) => parts.every((p) => window.conveneEditor.ytext.toString().includes(p))",
                           arg=list(fragments), timeout=timeout)


def wait_for_exact_text(page, text: str, timeout: float = 15_000) -> None:
    page.wait_for_function("(t) => window.conveneEditor.ytext.toString() === t", arg=text, timeout=timeout)


def mark_no_reload(page) -> None:
    page.evaluate("window.noReloadMarker = true")  # gone if the page reloads


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.noReloadMarker") is True, "the page reloaded: the change did not arrive live"


def record_row(page, community: str):
    return page.locator("#endorsement-record tbody tr").filter(has_text=community)


def record_position(page, community: str, position: str, note: str = "") -> None:
    form = page.locator("#position-form")
    form.get_by_label("On behalf of").select_option(label=community)
    form.get_by_label("Position").select_option(label=position)
    form.get_by_label(re.compile(r"^Note")).fill(note)
    form.get_by_role("button", name="Record position").click()


def assert_no_console_errors(browsing, allow: re.Pattern | None = None) -> None:
    errors = [e for e in browsing.errors if not (allow and allow.search(e))]
    assert errors == [], "the pages logged errors:\n" + "\n".join(errors)


# --- 1. two people, one document --------------------------------------------------------------

def test_two_people_write_together_and_see_each_other(browsing):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    title = unique("Shared referral note")

    priya.get_by_role("link", name=REFERRAL).click()
    priya.get_by_role("link", name="Start a joint response").click()
    priya.get_by_label("Title").fill(title)
    priya.get_by_role("button", name="Start writing").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text(title)
    expect_saved(priya)
    document_id = document_id_of(priya)

    sam.get_by_role("link", name=REFERRAL).click()
    sam.get_by_role("link", name=title).click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(title)
    expect_saved(sam)

    for page in (priya, sam):  # who is here: both, with their communities
        here = page.locator("#document-presence li")
        expect(here.filter(has_text="Priya Raman")).to_have_text(PRIYA_LABEL)
        expect(here.filter(has_text="Sam Okafor")).to_have_text(SAM_LABEL)

    type_at_end(priya, "# Priya heading\nPriya wrote this line.")
    expect(sam.locator(".cm-content")).to_contain_text("Priya wrote this line.")
    type_at_end(sam, "\n## Sam section\nSam wrote that line.")
    expect(priya.locator(".cm-content")).to_contain_text("Sam wrote that line.")

    # Each sees the other's cursor, labelled by the server with name and community.
    expect(priya.locator(".cm-ySelectionInfo")).to_have_text(SAM_LABEL)
    expect(sam.locator(".cm-ySelectionInfo")).to_have_text(PRIYA_LABEL)
    # The live preview renders the other person's Markdown.
    expect(sam.locator("#preview h1")).to_have_text("Priya heading")
    expect(priya.locator("#preview h2")).to_have_text("Sam section")
    for page in (priya, sam):
        expect_saved(page)
        expect(page.locator("#connection-state")).to_have_text("Connected: all changes saved.")

    expected = "# Priya heading\nPriya wrote this line.\n## Sam section\nSam wrote that line."
    wait_for_exact_text(priya, expected)
    wait_for_exact_text(sam, expected)
    assert api_document(priya, document_id)["text"] == expected
    assert_no_console_errors(browsing)


# --- 2. offline and back ----------------------------------------------------------------------

def test_offline_edits_are_kept_and_merge_when_the_connection_returns(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    document_id = create_document(priya, live_server.space_id(REFERRAL), unique("Offline note"),
                                  text="Shared start.\n")
    assert api_document(priya, document_id)["text"] == "Shared start.\n"  # the Markdown exactly as given
    open_document(priya, document_id)
    open_document(sam, document_id)
    expect(priya.locator("#document-presence li").filter(has_text="Sam Okafor")).to_have_count(1)

    sam.context.set_offline(True)
    state = sam.locator("#connection-state")
    expect(state).to_have_attribute("data-state", "offline")
    expect(priya.locator("#document-presence li").filter(has_text="Sam Okafor")).to_have_count(0)

    type_at_end(sam, "Sam typed offline.\n")
    expect(state).to_have_attribute("data-state", "offline")
    expect(state).to_contain_text("your edits are kept on this device")
    type_at_end(priya, "Priya kept typing.\n")  # the other person goes on meanwhile
    expect_saved(priya)
    type_at_end(sam, "Sam again offline.\n")
    assert "Priya kept typing." not in ytext(sam)
    assert "Sam typed offline." not in api_document(priya, document_id)["text"]

    sam.context.set_offline(False)
    words = ["Shared start.", "Sam typed offline.", "Sam again offline.", "Priya kept typing."]
    for page in (sam, priya):
        expect_saved(page)
        wait_for_text(page, *words)
    merged = ytext(priya)
    assert ytext(sam) == merged
    assert api_document(priya, document_id)["text"] == merged
    assert merged.startswith("Shared start.\n")
    expect(priya.locator("#document-presence li").filter(has_text="Sam Okafor")).to_have_count(1)

    # A reload while offline: the page itself cannot load without the network (the app has no
    # service worker), but what was typed stays in IndexedDB and reaches the server on the next load.
    sam.context.set_offline(True)
    expect(state).to_have_attribute("data-state", "offline")
    type_at_end(sam, "Typed before the reload.")
    stored = sam.evaluate("""async (name) => {
        const db = await new Promise((resolve, reject) => {
          const open = indexedDB.open(name);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        // A read issued after y-indexeddb's writes runs after them: every keystroke is on disk now.
        const count = await new Promise((resolve, reject) => {
          const request = db.transaction("updates", "readonly").objectStore("updates").count();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        db.close();
        return count;
    }""", f"convene-document-{document_id}")
    assert stored > 0
    assert "Typed before the reload." not in api_document(priya, document_id)["text"]
    with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
        sam.reload()
    sam.context.set_offline(False)
    open_document(sam, document_id)
    for page in (sam, priya):
        wait_for_text(page, "Typed before the reload.", *words)
        expect_saved(page)
    merged = ytext(priya)
    assert ytext(sam) == merged
    assert api_document(priya, document_id)["text"] == merged
    assert_no_console_errors(browsing, allow=OFFLINE_NOISE)


# --- 3. endorsement by three communities ------------------------------------------------------

def test_three_communities_endorse_and_the_document_is_adopted_live(browsing):
    lee = browsing.sign_in(LEE)
    sam = browsing.sign_in(SAM)
    priya = browsing.sign_in(PRIYA)
    title = unique("First hour joint visit")

    lee.get_by_role("link", name=CRISIS).click()
    lee.get_by_role("link", name="Start a joint response").click()
    lee.get_by_label("Title").fill(title)
    lee.get_by_role("button", name="Start writing").click()
    expect_saved(lee)
    document_id = document_id_of(lee)
    type_at_end(lee, "# First hour\nA joint visit within the hour.")
    expect_saved(lee)
    open_document(sam, document_id)
    mark_no_reload(sam)

    lee.get_by_role("button", name="Propose this version for endorsement").click()
    expect(lee.locator(".flashes")).to_contain_text("Version 1 is proposed")
    expect(lee.locator("#document-status")).to_have_text("In review")
    expect(sam.locator("#document-status")).to_have_text("In review")  # live, in the open page
    assert_not_reloaded(sam)

    # Community Policing endorses version 1; Sam's open page sees the record change live.
    sam.reload()
    expect_saved(sam)
    mark_no_reload(sam)
    record_position(lee, "Community Policing", "Endorse")
    expect(lee.locator(".flashes")).to_contain_text("Position recorded.")
    expect(record_row(lee, "Community Policing").locator("td").nth(0)).to_have_text("Endorse")
    expect(record_row(lee, "Community Policing")).to_contain_text("Lee Brennan")
    expect(record_row(lee, "Community Policing")).to_contain_text("version 1")
    expect(record_row(sam, "Community Policing").locator("td").nth(0)).to_have_text("Endorse")
    assert_not_reloaded(sam)
    expect_saved(lee)

    # An edit after proposing: the notice appears in every open page as the text changes.
    changed = "#changed-since-proposal"
    expect(lee.locator(changed)).to_be_hidden()
    expect(sam.locator(changed)).to_be_hidden()
    type_at_end(sam, "\nSocial work follows up within 72 hours.")
    expect(sam.locator(changed)).to_be_visible()
    expect(lee.locator(changed)).to_be_visible()
    expect_saved(sam)
    open_document(priya, document_id)
    expect(priya.locator(changed)).to_be_visible()
    expect(record_row(priya, "Community Policing")).to_contain_text("changed since endorsement")

    # Reservations need a note: without one, nothing is recorded and no version is made.
    record_position(sam, "Social Work", "Endorse with reservations")
    expect(sam.locator("#note-error")).to_contain_text("Write your reservations")  # beside the note (issue 8)
    expect(record_row(sam, "Social Work").locator("td").nth(0)).to_have_text("Has not acted yet")
    expect(sam.locator("#document-status")).to_have_text("In review")
    body = api_document(sam, document_id)
    assert body["status"] == "in_review" and body["proposed_version"]["number"] == 1
    assert [r["position"] for r in body["endorsement_record"] if r["community"] == "Social Work"] == [None]

    # With a note, Social Work's position is on a new version: the text it actually read.
    expect_saved(sam)
    mark_no_reload(lee)
    record_position(sam, "Social Work", "Endorse with reservations", "Name a social worker on every rota.")
    expect(sam.locator(".flashes")).to_contain_text("Position recorded.")
    social_work = record_row(sam, "Social Work")
    expect(social_work.locator("td").nth(0)).to_have_text("Endorse with reservations")
    expect(social_work).to_contain_text("version 2")
    expect(social_work).to_contain_text("Name a social worker on every rota.")
    expect(record_row(sam, "Community Policing")).to_contain_text("version 1")
    expect(record_row(sam, "Community Policing")).to_contain_text("changed since endorsement")
    expect(record_row(lee, "Social Work").locator("td").nth(0)).to_have_text("Endorse with reservations")
    expect(record_row(lee, "Social Work")).to_contain_text("version 2")
    # Version 2 is the current text: the notice goes away in the open page too, which now names version 2.
    expect(sam.locator(changed)).to_be_hidden()
    expect(lee.locator(changed)).to_be_hidden()
    expect(lee.locator("#endorsement")).to_contain_text("Version 2 is proposed.")
    assert_not_reloaded(lee)
    assert api_document(lee, document_id)["proposed_version"]["number"] == 2

    # Community Policing endorses the new version; Psychiatry stands aside: adopted.
    expect_saved(lee)
    record_position(lee, "Community Policing", "Endorse")
    expect(record_row(lee, "Community Policing")).to_contain_text("version 2")
    expect(record_row(lee, "Community Policing")).not_to_contain_text("changed since endorsement")
    expect(lee.locator("#document-status")).to_have_text("In review")
    expect_saved(lee)
    expect_saved(sam)
    mark_no_reload(lee)
    mark_no_reload(sam)
    priya.reload()
    expect_saved(priya)
    record_position(priya, "Psychiatry", "Stand aside")
    expect(priya.locator(".flashes")).to_contain_text("The document is adopted.")
    expect(priya.locator("#endorsement")).to_contain_text("Adopted at version 2")

    positions = {"Community Policing": "Endorse", "Social Work": "Endorse with reservations",
                 "Psychiatry": "Stand aside"}
    for page in (priya, lee, sam):
        expect(page.locator("#document-status")).to_have_text("Adopted")
        for community, words in positions.items():
            expect(record_row(page, community).locator("td").nth(0)).to_have_text(words)
            expect(record_row(page, community)).to_contain_text("version 2")
        # Read-only for everyone, including the pages that were open when it was adopted.
        expect(page.locator(".cm-content")).to_have_attribute("contenteditable", "false")
        expect(page.locator("#role-note")).to_contain_text("adopted")
        expect(page.locator("#position-form")).to_have_count(0 if page is priya else 1)
    for page in (lee, sam):
        assert_not_reloaded(page)
    before = ytext(sam)
    type_at_end(sam, "Too late.")
    flush_input(sam)
    assert ytext(sam) == before
    expect(sam.locator(".cm-content")).not_to_contain_text("Too late.")
    body = api_document(priya, document_id)
    assert body["status"] == "adopted" and body["adopted_version"]["number"] == 2
    assert "Too late." not in body["text"]
    # The refused position's page comes back as 422 (the form with its message), which Chromium logs.
    assert_no_console_errors(browsing, allow=REFUSED_FORM)


# --- 4. versions, compare, restore ------------------------------------------------------------

def test_save_compare_and_restore_a_version_reaches_the_open_editor_live(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    original = "The original wording stays here.\n"
    document_id = create_document(priya, live_server.space_id(REFERRAL), unique("Versioned note"), text=original)
    open_document(priya, document_id)
    open_document(sam, document_id)
    mark_no_reload(sam)

    priya.get_by_label("Note (what this version is)").fill("Before the rewrite")
    priya.get_by_role("button", name="Save a version").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Versions")
    expect(priya.locator(".flashes")).to_contain_text("Saved version 1.")

    open_document(priya, document_id)
    priya.locator(".cm-content").click()
    priya.keyboard.press("Control+a")
    priya.keyboard.type("The revised wording replaces it.")
    expect_saved(priya)
    wait_for_exact_text(sam, "The revised wording replaces it.")

    priya.get_by_role("link", name="Browse versions and compare them").click()
    priya.get_by_label("Compare").select_option(label="Version 1")
    priya.get_by_label("with").select_option(label="the current text")
    priya.get_by_role("button", name="Show the differences").click()
    expect(priya.get_by_role("heading", level=1)).to_have_text("Version 1 → Current text")
    diff = priya.locator("pre.diff")
    expect(diff.locator("del")).to_contain_text(["original"])
    expect(diff.locator("ins")).to_contain_text(["revised"])

    priya.get_by_role("link", name=re.compile(r"^← Versions of")).click()
    priya.once("dialog", lambda dialog: dialog.accept())  # "Restore this version as a new edit?"
    priya.get_by_role("row").filter(has_text="Before the rewrite").get_by_role("button", name="Restore").click()
    expect(priya.locator(".flashes")).to_contain_text("Version 1 is restored")
    expect_saved(priya)

    # The other person's open editor changes to the restored text, live.
    wait_for_exact_text(sam, original)
    expect(sam.locator(".cm-content")).to_contain_text("The original wording stays here.")
    expect(sam.locator(".cm-content")).not_to_contain_text("revised")
    assert_not_reloaded(sam)
    assert ytext(priya) == original
    assert api_document(sam, document_id)["text"] == original
    assert_no_console_errors(browsing)


# --- 5. a small screen ------------------------------------------------------------------------

def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_document_page_is_usable_at_320_px(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    priya.set_viewport_size({"width": 320, "height": 700})
    long_line = "A very long line " * 12 + "https://example.org/" + "x" * 120
    document_id = create_document(priya, live_server.space_id(CRISIS), unique("Narrow screen"),
                                  text=f"# A heading that is rather long for a phone\n\n{long_line}\n")
    # A document in review, as a steward sees it: the record table and the position form.
    assert api_post(priya, f"/documents/{document_id}/review", {})["status"] == "in_review"
    open_document(priya, document_id)
    expect(priya.locator("#position-form")).to_be_visible()
    expect(priya.locator("#endorsement-record")).to_be_visible()
    assert scroll_width(priya) <= 320 + 2, f"the page scrolls sideways: {scroll_width(priya)} px wide"

    type_at_end(priya, "\nTyped on a phone.")
    expect_saved(priya)
    wait_for_text(priya, "Typed on a phone.")
    expect(priya.locator(".cm-content")).to_contain_text("Typed on a phone.")
    box = priya.locator(".cm-editor").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 320 + 2
    assert scroll_width(priya) <= 320 + 2, f"the page scrolls sideways: {scroll_width(priya)} px wide"
    assert_no_console_errors(browsing)
