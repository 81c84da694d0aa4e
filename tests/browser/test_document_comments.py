"""Comments on passages of a joint response, in the browser (issue 9): one person comments on words she
selected, another sees the thread appear beside those words live and replies, and the first sees the reply
and her unread count in the header go up, without reloading.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_documents import (PRIYA, SAM, assert_no_console_errors, create_document,
                                          expect_saved, flush_input, open_document, scroll_width, unique,
                                          wait_for_text)
from tests.live_server import CRISIS

pytestmark = pytest.mark.browser

TEXT = "The patient is seen within the hour. A case is opened by the duty officer. Café ☕ notes."


def select_words(page, words: str) -> None:
    """Select `words` in the editor as a person would with the mouse or Shift+arrows."""
    page.locator(".cm-content").click()
    page.evaluate("""(words) => {
        const { view } = window.conveneEditor;
        const from = view.state.doc.toString().indexOf(words);
        view.dispatch({ selection: { anchor: from, head: from + words.length } });
        view.focus();
    }""", words)


def marked_words(page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('.cm-comment-range')].map((m) => m.textContent)")


def test_a_comment_on_selected_words_appears_beside_them_live_and_replies_come_back(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    document_id = create_document(priya, live_server.space_id(CRISIS), unique("Commented response"), text=TEXT)
    open_document(priya, document_id)
    open_document(sam, document_id)
    sam.evaluate("window.noReloadMarker = true")

    # Priya selects words and comments from the keyboard.
    select_words(priya, "case is opened")
    priya.keyboard.press("Control+Alt+m")
    form = priya.locator("#doc-comment-new")
    expect(form).to_be_visible()
    expect(form.locator("q")).to_have_text("case is opened")
    expect(priya.get_by_label("Your comment")).to_be_focused()
    priya.get_by_label("Your comment").fill("For **Social Work** a case is a family, not an investigation.")
    form.get_by_role("button", name="Post the comment").click()
    thread = priya.locator("[data-doc-thread]")
    expect(thread).to_have_count(1)
    expect(thread.locator("[data-passage] q")).to_have_text("case is opened")
    expect(priya.locator("[data-doc-comment-count]")).to_have_text("(1)")

    # Sam sees it arrive beside the right words, without reloading.
    sam_thread = sam.locator("[data-doc-thread]")
    expect(sam_thread).to_have_count(1)
    expect(sam_thread.locator(".comment__body")).to_contain_text("a case is a family")
    expect(sam_thread.locator(".comment__head")).to_contain_text("Priya Raman")
    sam.wait_for_function("() => document.querySelectorAll('.cm-comment-range').length === 1")
    assert marked_words(sam) == ["case is opened"]
    expect(sam.locator(".cm-comment-marker")).to_have_count(1)

    # Priya writes before the passage; on Sam's screen the mark stays on the same words.
    priya.locator(".cm-content").click()
    priya.keyboard.press("Control+Home")
    priya.keyboard.type("Draft: ")
    flush_input(priya)
    expect_saved(priya)
    wait_for_text(sam, "Draft: The patient")
    sam.wait_for_function("() => [...document.querySelectorAll('.cm-comment-range')].map((m) => m.textContent).join('|') === 'case is opened'")

    # From the keyboard Sam moves to the comment: its words are selected and it is read out.
    sam.locator(".cm-content").click()
    sam.keyboard.press("Control+Home")
    sam.keyboard.press("Control+Alt+n")
    assert sam.evaluate("(() => { const s = window.conveneEditor.view.state; return s.sliceDoc(s.selection.main.from, s.selection.main.to); })()") == "case is opened"
    expect(sam.locator("#comment-at-cursor")).to_contain_text(re.compile(r"Comment by Priya Raman \(Psychiatry\): For Social Work a case is a family"))

    # Sam replies in the thread; Priya sees the reply live, and her unread count in the header goes up.
    priya.evaluate("window.noReloadMarker = true")
    notices = priya.locator("#notices-link")
    expect(notices).to_have_attribute("data-live", "connected")
    unread = int(notices.get_attribute("data-unread") or 0)
    sam_thread.get_by_label("Reply to Priya Raman").fill("Agreed: let us say “the family” here.")
    sam_thread.get_by_role("button", name="Reply", exact=True).click()
    expect(sam_thread.locator(".thread__replies")).to_contain_text("let us say “the family” here")
    expect(priya.locator("[data-doc-thread] .thread__replies")).to_contain_text("let us say “the family” here")
    expect(priya.locator("[data-doc-comment-count]")).to_have_text("(2)")
    expect(notices).to_have_attribute("data-unread", str(unread + 1))
    expect(notices.locator(".count")).to_have_text(f"{unread + 1} unread")
    expect(priya.locator("#notices-announcer")).to_have_text(f"{unread + 1} unread notice{'' if unread == 0 else 's'}.")
    assert priya.evaluate("window.noReloadMarker") is True, "Priya's page reloaded"
    assert sam.evaluate("window.noReloadMarker") is True, "Sam's page reloaded"

    # Priya resolves the thread in the panel: both see who resolved it, and the words are no longer marked.
    priya.locator("[data-doc-thread]").get_by_role("button", name="Resolve the thread").click()
    for page in (priya, sam):
        expect(page.locator("[data-doc-thread] .thread__resolved")).to_contain_text("Resolved by Priya Raman")
    sam.wait_for_function("() => document.querySelectorAll('.cm-comment-range').length === 0")

    # Deleting the words: the thread stays, says its text was removed, keeps the quote.
    select_words(priya, "A case is opened by the duty officer. ")
    priya.keyboard.press("Delete")
    flush_input(priya)
    expect_saved(priya)
    for page in (priya, sam):
        expect(page.locator("[data-doc-thread]")).to_have_class(re.compile(r"doc-thread--removed"))
        expect(page.locator("[data-doc-thread] [data-passage]")).to_contain_text("The text it was about was removed.")
        expect(page.locator("[data-doc-thread] [data-passage] q")).to_have_text("case is opened")
    assert marked_words(sam) == []
    assert_no_console_errors(browsing)


def test_an_empty_selection_is_not_commented_and_the_list_goes_under_the_text_at_390_px(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    priya.set_viewport_size({"width": 390, "height": 800})
    document_id = create_document(priya, live_server.space_id(CRISIS), unique("Narrow comments"), text=TEXT)
    open_document(priya, document_id)
    priya.locator(".cm-content").click()
    priya.keyboard.press("Control+Alt+m")
    expect(priya.locator("#doc-comment-new")).to_be_hidden()
    expect(priya.locator("#comment-at-cursor")).to_have_text("Select the words you want to comment on first.")

    select_words(priya, "within the hour")
    priya.get_by_role("button", name="Comment on the selected words").click()
    priya.get_by_label("Your comment").fill("Sixty minutes?")
    priya.locator("#doc-comment-new").get_by_role("button", name="Post the comment").click()
    expect(priya.locator("[data-doc-thread]")).to_have_count(1)
    editor, panel = priya.locator(".cm-editor").bounding_box(), priya.locator("#document-comments").bounding_box()
    assert panel["y"] >= editor["y"] + editor["height"], "the comments should be under the text on a phone"
    assert scroll_width(priya) <= 390 + 2, f"the page scrolls sideways: {scroll_width(priya)} px wide"

    # Jargon hints under a reply box too, as under the new-comment box (comments-perf).
    thread = priya.locator("[data-doc-thread]")
    reply = thread.get_by_label("Reply to Priya Raman")
    reply.click()
    reply.type("Unless XYZQ says otherwise.")
    hints = thread.locator("[data-comment-hints]")
    expect(hints).to_have_count(1)
    expect(hints.locator("[data-hints-list] li").filter(has_text="XYZQ")).to_contain_text("Unknown acronym")
    assert scroll_width(priya) <= 390 + 2, f"the hints make the page scroll sideways: {scroll_width(priya)} px wide"
    assert_no_console_errors(browsing)


def test_a_document_nobody_can_edit_can_still_be_discussed(browsing, live_server):
    from tests.browser.test_documents import api_post
    priya = browsing.sign_in(PRIYA)
    document_id = create_document(priya, live_server.space_id(CRISIS), unique("Read-only comments"), text=TEXT)
    assert api_post(priya, f"/documents/{document_id}/withdraw", {"reason": "superseded"})["status"] == "withdrawn"
    priya.goto(f"/documents/{document_id}")
    expect(priya.locator("#connection-state")).to_have_text("Connected: read-only, live.")
    # Select the words with the mouse, as a reader would.
    words = priya.locator(".cm-line").first
    box = words.bounding_box()
    priya.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    priya.mouse.down()
    priya.mouse.move(box["x"] + 80, box["y"] + box["height"] / 2, steps=5)
    priya.mouse.up()
    selected = priya.evaluate("(() => { const s = window.conveneEditor.view.state; return s.sliceDoc(s.selection.main.from, s.selection.main.to); })()")
    assert selected and TEXT.startswith(selected), selected
    priya.get_by_role("button", name="Comment on the selected words").click()
    expect(priya.locator("#doc-comment-new q")).to_have_text(selected)
    priya.get_by_label("Your comment").fill("Why was this withdrawn?")
    priya.locator("#doc-comment-new").get_by_role("button", name="Post the comment").click()
    expect(priya.locator("[data-doc-thread] [data-passage] q")).to_have_text(selected)
    priya.wait_for_function("() => document.querySelectorAll('.cm-comment-range').length === 1")

    # From the keyboard alone: focus the text, select with Shift+arrows, comment with Ctrl+Alt+M.
    # (Posting moves focus to the new thread once it is placed: wait for that before taking focus back.)
    expect(priya.locator("[data-doc-thread]")).to_have_count(1)
    # The thread is listed before its contents arrive; focus moves to it only then.
    priya.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-doc-thread] [data-passage]')")
    priya.locator(".cm-content").focus()
    priya.wait_for_function("() => document.activeElement && document.activeElement.closest('.cm-content') !== null")
    priya.keyboard.press("Control+End")
    for _ in range(len("notes.")):
        priya.keyboard.press("Shift+ArrowLeft")
    priya.wait_for_function("""() => { const s = window.conveneEditor.view.state;
        return s.sliceDoc(s.selection.main.from, s.selection.main.to) === 'notes.'; }""")
    priya.keyboard.press("Control+Alt+m")
    expect(priya.locator("#doc-comment-new q")).to_have_text("notes.")
    assert_no_console_errors(browsing)


def test_threads_on_an_opened_document_get_the_same_forms_the_server_writes_and_they_work(browsing, live_server):
    """The page writes each thread form once and its script copies it into every thread (h9perf): a person sees
    and uses exactly the forms the server writes for one thread (GET /comments/<id>/thread, as a live refresh)."""
    priya = browsing.sign_in(PRIYA)
    sam = browsing.sign_in(SAM)
    document_id = create_document(priya, live_server.space_id(CRISIS), unique("Forms copied"), text=TEXT)
    open_document(priya, document_id)
    select_words(priya, "within the hour")
    priya.get_by_role("button", name="Comment on the selected words").click()
    priya.get_by_label("Your comment").fill("Sixty *minutes*?")
    priya.locator("#doc-comment-new").get_by_role("button", name="Post the comment").click()
    expect(priya.locator("[data-doc-thread] .comment__body")).to_contain_text("Sixty minutes?")

    for page in (sam, priya):  # opened afresh: the threads come with the page, their forms from the templates
        open_document(page, document_id)
        thread = page.locator("[data-doc-thread]")
        expect(thread.get_by_label("Reply to Priya Raman")).to_be_visible()
        assert page.locator("[data-form-slot], [data-forms-fallback]").count() == 0
        thread_id = int(thread.get_attribute("data-doc-thread"))
        shown, written = page.evaluate("""async (id) => {
            const forms = (root) => [...root.querySelectorAll(".comment__actions > *, .thread__actions > *")]
              .map((el) => el.outerHTML.replace(/name="csrf_token" value="[^"]*"/g, "").replace(/\\s+/g, " ").replace(/> </g, "><"));
            const response = await fetch(`/comments/${id}/thread`, { headers: { "X-Requested-With": "fetch" } });
            const template = document.createElement("template");
            template.innerHTML = await response.text();
            return [forms(document.getElementById(`thread-${id}`)), forms(template.content.getElementById(`thread-${id}`))];
        }""", thread_id)
        assert shown == written and shown, (shown, written)
    expect(sam.locator("[data-doc-thread]").get_by_text("Make a card", exact=False)).to_have_count(1)
    expect(sam.locator(f"#flag-comment-{thread_id} summary")).to_contain_text("Flag")

    # Priya edits her comment through the copied form: it starts with what she wrote.
    priya.locator(f"#edit-details-{thread_id} summary").click()
    edit = priya.locator(f"#edit-{thread_id}")
    expect(edit).to_have_value("Sixty *minutes*?")
    edit.fill("Sixty *minutes*, from the call?")
    priya.locator(f"#edit-details-{thread_id}").get_by_role("button", name="Save the comment").click()
    for page in (priya, sam):
        expect(page.locator(f"#comment-{thread_id} .comment__body")).to_contain_text("Sixty minutes, from the call?")

    # Sam replies through the copied reply form; both see the reply.
    sam_thread = sam.locator("[data-doc-thread]")
    sam_thread.get_by_label("Reply to Priya Raman").fill("Yes, from the call.")
    sam_thread.get_by_role("button", name="Reply", exact=True).click()
    for page in (sam, priya):
        expect(page.locator("[data-doc-thread] .thread__replies")).to_contain_text("Yes, from the call.")
    assert_no_console_errors(browsing)
