"""In two real browsers: one person starts a thread in a space's discussion (mentioning someone with the
keyboard-driven autocomplete), the other sees it appear live, replies, and the first sees the reply."""
import re
import uuid

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_thread_in_the_space_discussion_is_live_both_ways(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    words = f"Who covers nights {uuid.uuid4().hex[:6]}?"
    reader = browsing.sign_in("priya@psychiatry.test")
    reader.goto(f"/spaces/{space_id}#discussion")
    expect(reader.locator("#presence-state")).to_have_attribute("data-state", "connected")

    writer = browsing.sign_in("sam@socialwork.test")
    writer.goto(f"/spaces/{space_id}#discussion")
    expect(writer.locator("#presence-state")).to_have_attribute("data-state", "connected")
    box = writer.get_by_label("Start a thread")
    box.click()
    box.type(f"{words} @Pri")
    # The autocomplete: a listbox tied to the field, the first option active; Enter chooses it.
    listbox_id = box.get_attribute("aria-controls")
    listbox = writer.locator(f"#{listbox_id}")
    assert listbox.get_attribute("role") == "listbox"
    expect(listbox.get_by_role("option").first).to_have_text(re.compile(r"^Priya Raman \(Psychiatry\)"))
    assert box.get_attribute("aria-activedescendant") == f"{listbox_id}-0"
    box.press("Enter")
    expect(box).to_have_value(f"{words} @[Priya Raman] ")
    writer.get_by_role("button", name="Post the comment").click()
    expect(box).to_have_value("")
    mine = writer.locator(".thread", has_text=words)
    expect(mine).to_have_count(1)
    expect(mine.locator("a.mention")).to_have_text("@Priya Raman")

    # The reader's page shows it without a reload, and says so to screen readers.
    thread = reader.locator(".thread", has_text=words)
    expect(thread).to_have_count(1)
    expect(reader.locator("#discussion [data-comments-status]")).to_contain_text("Sam Okafor started a thread")
    reply_box = thread.get_by_label("Reply to Sam Okafor")
    reply_box.fill("Psychiatry liaison until 2am.")
    thread.get_by_role("button", name="Reply").click()
    expect(thread.locator(".thread__replies")).to_contain_text("Psychiatry liaison until 2am.")

    # The writer sees the reply arrive live in the same thread.
    expect(mine.locator(".thread__replies")).to_contain_text("Psychiatry liaison until 2am.")
    expect(writer.locator("#discussion [data-comments-status]")).to_contain_text("Priya Raman replied")

    # Resolve from the writer's page: the reader sees who resolved it.
    mine.get_by_role("button", name="Resolve the thread").click()
    expect(thread.locator(".thread__resolved")).to_contain_text("Resolved by Sam Okafor")
    assert browsing.errors == []


def test_a_refused_comment_says_why_beside_the_field(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    page = browsing.sign_in("sam@socialwork.test")
    page.goto(f"/spaces/{space_id}#discussion")
    box = page.get_by_label("Start a thread")
    box.fill("Ask @[Lee Brennan] about it")
    page.get_by_role("button", name="Post the comment").click()
    error = page.locator("#discussion .error[role=alert]")
    expect(error).to_have_text("Lee Brennan is not in this space.")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value("Ask @[Lee Brennan] about it")  # nothing typed is lost
    assert error.get_attribute("id") in box.get_attribute("aria-describedby").split()


def test_a_thread_started_while_the_page_was_offline_appears_after_reconnecting(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    words = f"While you were away {uuid.uuid4().hex[:6]}"
    reader = browsing.sign_in("jo@policing.test")
    reader.goto(f"/spaces/{space_id}#discussion")
    expect(reader.locator("#presence-state")).to_have_attribute("data-state", "connected")
    reader.context.set_offline(True)
    expect(reader.locator("#presence-state")).not_to_have_attribute("data-state", "connected", timeout=30_000)

    writer = browsing.sign_in("maria@socialwork.test")
    writer.goto(f"/spaces/{space_id}#discussion")
    writer.get_by_label("Start a thread").fill(words)
    writer.get_by_role("button", name="Post the comment").click()
    expect(writer.locator(".thread", has_text=words)).to_have_count(1)

    reader.context.set_offline(False)
    expect(reader.locator("#presence-state")).to_have_attribute("data-state", "connected", timeout=30_000)
    expect(reader.locator(".thread", has_text=words)).to_have_count(1)
    browsing.errors[:] = [e for e in browsing.errors if "ERR_INTERNET_DISCONNECTED" not in e]


def test_a_card_tiles_comment_count_changes_live_and_the_card_page_shows_the_comment(live_server, browsing):
    import requests
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {live_server.create_token('sam@socialwork.test')}"
    board_id = next(b["id"] for b in api.get(f"{live_server.url}/api/v1/spaces/{space_id}/boards").json()["items"]
                    if b["title"] == "Pilot a joint crisis-visit rota")
    card_id = api.get(f"{live_server.url}/api/v1/boards/{board_id}").json()["columns"][1]["cards"][-1]["id"]
    before = len(api.get(f"{live_server.url}/api/v1/cards/{card_id}/comments").json()["items"])

    watcher = browsing.sign_in("jo@policing.test")
    watcher.goto(f"/boards/{board_id}")
    expect(watcher.locator("#board-live")).to_have_attribute("data-state", "live")
    reader = browsing.sign_in("priya@psychiatry.test")
    reader.goto(f"/cards/{card_id}")
    expect(reader.locator("#card")).to_have_attribute("data-live-glossary", "on")

    words = f"Can we start on a Friday? {uuid.uuid4().hex[:6]}"
    made = api.post(f"{live_server.url}/api/v1/cards/{card_id}/comments", json={"body": words})
    assert made.status_code == 201, made.text
    count = watcher.locator(f"#card-{card_id} .comment-count")
    expect(count).to_have_text(f"{before + 1} {'comment' if before == 0 else 'comments'}")
    expect(count).to_be_visible()
    expect(reader.locator("#comments .thread", has_text=words)).to_have_count(1)
    assert browsing.errors == []


def test_reply_and_edit_boxes_get_jargon_hints_as_the_new_comment_box_does(live_server, browsing):
    """Issue 9 follow-up: jargon hints while writing a reply or editing a comment, not only a new one;
    the list appears under the box being written in, says what it found, and points into the text."""
    from playwright.sync_api import expect

    from tests.browser.test_board_first_use import check_accessibility

    space_id = live_server.space_id("Crisis response policy 2027")
    words = f"Night cover {uuid.uuid4().hex[:6]}"
    sam = browsing.sign_in("sam@socialwork.test")
    sam.goto(f"/spaces/{space_id}#discussion")
    expect(sam.locator("#presence-state")).to_have_attribute("data-state", "connected")
    sam.get_by_label("Start a thread").fill(words)
    sam.get_by_role("button", name="Post the comment").click()
    thread = sam.locator(".thread", has_text=words)
    expect(thread).to_have_count(1)
    expect(thread.locator("[data-comment-hints]")).to_have_count(0)  # nothing until someone writes

    # A reply: the hints list appears under the reply box, with the same findings as elsewhere.
    reply = thread.get_by_label("Reply to Sam Okafor")
    reply.click()
    reply.type("Known to XYZQ, it is a case.")
    hints = thread.locator(".thread__actions [data-comment-hints]")
    expect(hints).to_have_count(1)
    expect(hints.get_by_role("heading")).to_have_text("Words other communities may read differently")
    items = hints.locator("[data-hints-list] li")
    expect(items.filter(has_text="XYZQ")).to_contain_text("Unknown acronym")
    expect(items.filter(has_text="“case”")).to_contain_text("False friend")
    expect(hints.get_by_role("status")).to_contain_text("“XYZQ”")
    hints.get_by_role("button", name="Show “XYZQ” in the text").click()
    assert sam.evaluate("(() => { const f = document.activeElement;"
                        " return f.name === 'body' && f.value.slice(f.selectionStart, f.selectionEnd); })()") == "XYZQ"
    check_accessibility(sam)

    # Editing one's own comment: the edit box gets its own list, hints for the text it starts with.
    first = thread.locator(".comment").first
    first.locator("summary", has_text="Edit").click()
    edit = first.get_by_label("Your comment")
    edit.click()
    edit.press("Control+End")
    edit.type(" Ask XYZQ first.")
    edit_hints = first.locator(".comment__edit [data-comment-hints]")
    expect(edit_hints).to_have_count(1)
    expect(edit_hints.locator("[data-hints-list] li").filter(has_text="XYZQ")).to_contain_text("Unknown acronym")
    assert thread.locator("[data-comment-hints]").count() == 2  # one per box written in, no more
    assert browsing.errors == []


def test_read_in_my_words_reaches_the_discussion_and_comments_that_arrive_live(live_server, browsing):
    """Sam (Social Work) reads the referral discussion in his words: Priya's "patient" reads "client", live too."""
    import requests
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    sam = browsing.sign_in("sam@socialwork.test")
    sam.goto(f"/spaces/{space_id}#discussion")
    expect(sam.locator("#presence-state")).to_have_attribute("data-state", "connected")
    opening = sam.locator("#discussion .thread", has_text="Can we agree on one word").locator(".comment__body").first
    expect(opening.locator(".in-my-words")).to_have_count(0)
    sam.get_by_role("button", name="Read in my words").click()
    expect(opening.locator(".in-my-words__mine")).to_have_text("client")
    expect(opening).to_contain_text("(written: patient)")

    priya = requests.Session()
    priya.headers["Authorization"] = f"Bearer {live_server.create_token('priya@psychiatry.test')}"
    words = f"Each patient gets a named contact {uuid.uuid4().hex[:6]}."
    made = priya.post(f"{live_server.url}/api/v1/spaces/{space_id}/comments", json={"body": words})
    assert made.status_code == 201, made.text
    arrived = sam.locator("#discussion .thread", has_text=words[-12:]).locator(".comment__body").first
    expect(arrived.locator(".in-my-words__mine")).to_have_text("client")
    sam.get_by_role("button", name="Read in my words").click()  # and back: as written
    expect(arrived.locator(".in-my-words")).to_have_count(0)
    expect(arrived).to_contain_text("Each patient gets")
    assert browsing.errors == []
