"""In real browsers, a team's first hour on a board (issue 8): adding cards in place, a board that fits
the screen at 1280 px and 390 px, finished cards that are not overdue, a card page that stays live
while someone edits it, and a board that takes few Tab stops. Each page touched passes axe-core."""
import re
import uuid
from datetime import date, timedelta

import pytest

from tests.browser.axe import check_accessibility
from tests.browser.test_glossary_live import api_post
from tests.live_server import CRISIS

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}



def api_request(page, method: str, path: str, data: dict | None = None) -> dict:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.fetch(f"/api/v1{path}", method=method, data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def new_board(page, space_id: int, columns=("Ideas", "To do", "Doing", "Done"), cards_in_first: int = 0) -> dict:
    """A board of our own in `space_id` (other tests change the demo board), read back whole."""
    board = api_post(page, f"/spaces/{space_id}/boards",
                     {"title": f"First hour {uuid.uuid4().hex[:6]}", "columns": list(columns)})
    for n in range(cards_in_first):
        api_post(page, f"/boards/{board['id']}/cards", {"column_id": board["columns"][0]["id"],
                                                        "title": f"Something to do, number {n + 1}"})
    return api_request(page, "GET", f"/boards/{board['id']}")


def open_board(page, board_id: int) -> None:
    page.goto(f"/boards/{board_id}")
    page.wait_for_selector('#board-live[data-state="live"]')
    page.evaluate("window.noReloadMarker = true")


def open_live_board(browsing, email: str, viewport: dict, path: str):
    page = browsing.sign_in(email)
    page.set_viewport_size(viewport)
    page.goto(path)
    page.wait_for_selector('#board-live[data-state="live"]')
    return page


def demo_board_id(page, live_server) -> int:
    space_id = live_server.space_id(CRISIS)
    boards = api_request(page, "GET", f"/spaces/{space_id}/boards")["items"]
    return next(b["id"] for b in boards if b["title"] == "Pilot a joint crisis-visit rota")


# --- 6. Adding a card keeps the place and the focus -------------------------------------------

def test_adding_a_card_keeps_the_scroll_position_and_the_focus_in_the_new_card_field(live_server, browsing):
    from playwright.sync_api import expect

    page = browsing.sign_in("sam@socialwork.test")
    page.set_viewport_size(WIDE)
    board = new_board(page, live_server.space_id(CRISIS), cards_in_first=12)
    done = board["columns"][-1]
    open_board(page, board["id"])

    field = page.get_by_label("New card title in Done")
    page.evaluate("window.scrollTo(0, 250)")  # a person further down the board
    assert page.evaluate("window.scrollY") == 250, "the board should be long enough to scroll"
    field.click()
    field.fill("Book the room for the debrief")
    page.keyboard.press("Enter")

    done_cards = page.locator(f"#column-{done['id']} li.board-card")
    expect(done_cards).to_have_count(1)
    expect(done_cards.first).to_contain_text("Book the room for the debrief")
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    assert page.evaluate("window.noReloadMarker") is True, "the page reloaded"
    assert page.evaluate("window.scrollY") == 250, "the page jumped"
    assert field.evaluate("el => { const r = el.getBoundingClientRect(); "
                          "return r.top >= 0 && r.bottom <= window.innerHeight; }"), "the field left the screen"
    expect(page.locator("#board-announcer")).to_contain_text("Added “Book the room for the debrief” to Done")

    # The next card starts right there, from the keyboard; the button works the same way.
    page.keyboard.type("Send the debrief notes")
    page.get_by_role("button", name="Add card").nth(3).click()
    expect(done_cards).to_have_count(2)
    expect(field).to_be_focused()

    # An empty title is refused beside the field, without a reload; the field keeps the focus.
    page.keyboard.press("Enter")
    error = page.locator(f"#new-card-{done['id']}-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Title")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", f"new-card-{done['id']}-error")
    expect(field).to_be_focused()
    expect(done_cards).to_have_count(2)
    assert page.evaluate("window.noReloadMarker") is True
    check_accessibility(page)
    # The message goes once the next card is added.
    page.keyboard.type("Thank the drivers")
    page.keyboard.press("Enter")
    expect(done_cards).to_have_count(3)
    expect(error).to_be_hidden()
    expect(field).to_have_attribute("aria-invalid", "false")
    # Chromium logs the refusal's 422 as a failed load; that answer is the one we asked for.
    assert [e for e in browsing.errors if "status of 422" not in e] == []


def test_adding_a_card_without_javascript_still_works_and_explains_an_empty_title(live_server, browser,
                                                                                    browsing):
    from playwright.sync_api import expect

    signed_in = browsing.sign_in("sam@socialwork.test")
    board = new_board(signed_in, live_server.space_id(CRISIS))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  storage_state=signed_in.context.storage_state())
    browsing.contexts.append(context)
    page = context.new_page()
    page.goto(f"/boards/{board['id']}")
    page.get_by_label("New card title in Doing").fill("Ring the duty desk")
    page.get_by_role("button", name="Add card").nth(2).click()
    expect(page.locator(f"#column-{board['columns'][2]['id']} li.board-card")).to_contain_text("Ring the duty desk")
    assert page.url.endswith(f"#new-card-{board['columns'][2]['id']}")
    page.get_by_role("button", name="Add card").nth(2).click()
    expect(page.locator(f"#new-card-{board['columns'][2]['id']}-error")).to_contain_text("Title")


# --- 7. The board fits the screen ---------------------------------------------------------------

FOCUSABLE_CLIPPED = """() => {
  // Every focusable element of the board must be whole inside the viewport and inside every scrolling
  // ancestor, with room for its focus ring: sideways as soon as the keyboard focuses it, and also
  // up and down once scrolled into view.
  const ring = 4;
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const problems = [];
  const all = [...document.querySelectorAll('.board ' + selector.split(', ').join(', .board '))]
    .filter((el) => el.getClientRects().length && !el.closest('details:not([open]) > :not(summary)'));
  const clipped = (el, vertically) => {
    const r = el.getBoundingClientRect();
    const boxes = [{left: 0, top: 0, right: document.documentElement.clientWidth, bottom: window.innerHeight, name: 'viewport'}];
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        const b = a.getBoundingClientRect();
        boxes.push({left: b.left + a.clientLeft, top: b.top + a.clientTop, right: b.left + a.clientLeft + a.clientWidth,
                    bottom: b.top + a.clientTop + a.clientHeight, name: a.id || a.className});
      }
    }
    for (const b of boxes) {
      const tall = r.height + 2 * ring > b.bottom - b.top;
      if (r.left - ring < b.left - 0.5 || r.right + ring > b.right + 0.5 ||
          (vertically && !tall && (r.top - ring < b.top - 0.5 || r.bottom + ring > b.bottom + 0.5))) {
        return `${el.tagName} "${(el.textContent || el.getAttribute('aria-label') || el.id).trim().slice(0, 40)}" clipped by ${b.name}`;
      }
    }
    return null;
  };
  for (const el of all) {
    el.focus();
    const onFocus = clipped(el, false);
    el.scrollIntoView({block: 'center', inline: 'nearest'});
    const problem = onFocus ? `${onFocus} when focused` : clipped(el, true);
    if (problem) problems.push(problem);
  }
  return {count: all.length, problems};
}"""


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_the_board_fits_the_screen_and_nothing_focusable_is_clipped(live_server, browsing, viewport):
    page = browsing.sign_in("sam@socialwork.test")
    page.set_viewport_size(viewport)
    board_id = demo_board_id(page, live_server)
    open_board(page, board_id)
    widths = page.evaluate("({page: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["page"] <= widths["viewport"], f"the page scrolls sideways: {widths}"
    if viewport is WIDE:  # four columns fit a laptop's screen: none is cut off at the edge
        assert page.evaluate("(s => s.scrollWidth <= s.clientWidth)(document.getElementById('board-columns'))")
    result = page.evaluate(FOCUSABLE_CLIPPED)
    assert result["count"] > 20
    assert result["problems"] == []
    page.evaluate("window.scrollTo(0, 0)")
    check_accessibility(page)
    assert browsing.errors == []


def test_a_board_wider_than_the_screen_scrolls_inside_the_board_area(live_server, browsing):
    page = browsing.sign_in("sam@socialwork.test")
    page.set_viewport_size(WIDE)
    board = new_board(page, live_server.space_id(CRISIS), columns=[f"Step {n}" for n in range(1, 8)])
    open_board(page, board["id"])
    sizes = page.evaluate("""() => { const s = document.getElementById('board-columns');
        return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
                inner: s.scrollWidth, outer: s.clientWidth}; }""")
    assert sizes["page"] <= sizes["viewport"]
    assert sizes["inner"] > sizes["outer"], "seven columns should scroll inside the board area"
    assert page.evaluate(FOCUSABLE_CLIPPED)["problems"] == []


# --- 8. Finished cards are not overdue ------------------------------------------------------------

def test_finished_cards_are_not_overdue_nor_red_nor_in_the_overdue_filter(live_server, browsing):
    from playwright.sync_api import expect

    steward = browsing.sign_in("sam@socialwork.test")
    steward.set_viewport_size(WIDE)
    board = new_board(steward, live_server.space_id(CRISIS))
    ideas, todo, doing, done = (c["id"] for c in board["columns"])
    last_week = (date.today() - timedelta(days=7)).isoformat()
    late, finished, busy = (api_post(steward, f"/boards/{board['id']}/cards",
                                     {"column_id": column, "title": title, "due_on": last_week})["id"]
                            for column, title in ((todo, "Late: still to do"), (done, "Finished last week"),
                                                  (doing, "Being done now")))
    open_board(steward, board["id"])
    watcher = open_live_board(browsing, "lee@policing.test", WIDE, f"/boards/{board['id']}")
    watcher.evaluate("window.noReloadMarker = true")

    def due(page, card_id):
        return page.locator(f"#card-{card_id} p.due")

    for page in (steward, watcher):
        expect(due(page, late)).to_have_class(re.compile(r"\bdue--overdue\b"))
        expect(due(page, late)).to_contain_text("(overdue)")
        expect(due(page, finished)).not_to_have_class(re.compile(r"\bdue--overdue\b"))
        expect(due(page, finished)).not_to_contain_text("overdue")
        assert due(page, finished).evaluate("el => getComputedStyle(el).color") != \
            due(page, late).evaluate("el => getComputedStyle(el).color")
        expect(page.locator(f"#column-{done} .column-done")).to_be_visible()  # the last column counts as done

    # The "Overdue" filter, in the page and on the server (a shared link), leaves finished cards out.
    steward.select_option("select[name=due]", "overdue")
    expect(steward.locator("#filter-status")).to_have_text("2 of 3 cards shown")
    expect(steward.locator(f"#card-{finished}")).to_be_hidden()
    steward.goto(f"/boards/{board['id']}?due=overdue")
    expect(steward.locator(f"#card-{finished}")).to_be_hidden()
    expect(steward.locator(f"#card-{late}")).to_be_visible()

    # Marking "Doing" as the done column: its cards are finished; "Done" is no longer the default one.
    steward.goto(f"/boards/{board['id']}")
    settings = steward.locator(f"#column-{doing} details.column-settings")
    settings.locator("summary").click()
    settings.get_by_label("Done column: its cards are finished, never overdue").check()
    settings.get_by_role("button", name="Save column").click()
    expect(steward.locator(f"#column-{doing} .column-done")).to_be_visible()
    # The watcher's page follows live, without a reload.
    expect(due(watcher, busy)).not_to_contain_text("overdue")
    expect(due(watcher, finished)).to_contain_text("(overdue)")
    expect(watcher.locator(f"#column-{doing} .column-done")).to_be_visible()
    expect(watcher.locator(f"#column-{done} .column-done")).to_be_hidden()
    # A late card moved into the done column by keyboard stops being overdue at once.
    tile = watcher.locator(f"#card-{late}")
    tile.focus()
    watcher.keyboard.press("Space")
    watcher.keyboard.press("ArrowRight")
    watcher.keyboard.press("Space")
    expect(watcher.locator("#board-announcer")).to_contain_text("moved to Doing")
    expect(due(watcher, late)).not_to_contain_text("overdue")
    expect(due(steward, late)).not_to_contain_text("overdue")
    assert watcher.evaluate("window.noReloadMarker") is True
    check_accessibility(steward)
    assert browsing.errors == []


# --- 12. A card is one Tab stop, the activity feed is skippable ------------------------------------

def tab_stops(page, limit: int = 200) -> list[dict]:
    """Press Tab from the top of the page until focus leaves it; describe each element reached."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => { const el = document.activeElement;
            if (!el || el === document.body || el.dataset.tabStopSeen) return null;  // left the page, or came round
            el.dataset.tabStopSeen = "1";
            return {tag: el.tagName, id: el.id, card: el.closest('li.board-card')?.id || null,
                    feed: !!el.closest('#activity-feed')}; }""")
        if stop is None:
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("email", ["sam@socialwork.test", "omar@psychiatry.test"], ids=["member", "watcher"])
def test_each_card_is_one_tab_stop_and_the_activity_feed_is_skipped(live_server, browsing, email):
    page = browsing.sign_in(email)
    page.set_viewport_size(WIDE)
    board_id = demo_board_id(page, live_server)
    open_board(page, board_id)
    cards = page.evaluate("[...document.querySelectorAll('li.board-card')].map((li) => li.id)")
    assert len(cards) >= 12 and page.locator("#activity-feed li").count() >= 12
    stops = tab_stops(page)
    on_cards = [s["card"] for s in stops if s["card"]]
    assert sorted(on_cards) == sorted(cards), "each card should be exactly one Tab stop"
    assert not any(s["feed"] for s in stops), "the activity feed should be skipped until opened"
    assert len(stops) <= len(cards) + 40, f"{len(stops)} Tab stops"
    # The feed is one stop away when wanted.
    feed_summary = page.locator("#activity summary")
    feed_summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#activity-feed')")
    check_accessibility(page)
    assert browsing.errors == []


def test_enter_opens_a_focused_card_and_space_still_picks_it_up(live_server, browsing):
    from playwright.sync_api import expect

    page = browsing.sign_in("sam@socialwork.test")
    board = new_board(page, live_server.space_id(CRISIS), columns=("To do", "Done"))
    card = api_post(page, f"/boards/{board['id']}/cards", {"column_id": board["columns"][0]["id"],
                                                            "title": "Call the duty psychiatrist"})
    open_board(page, board["id"])
    page.locator(f"#card-{card['id']}").focus()
    page.keyboard.press("Space")
    expect(page.locator("#board-announcer")).to_contain_text("Picked up Call the duty psychiatrist")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cards/{card['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Call the duty psychiatrist")


# --- 9. The card page is live ------------------------------------------------------------------------

def open_card(page, card_id: int) -> None:
    from playwright.sync_api import expect

    page.goto(f"/cards/{card_id}")
    expect(page.locator("#card-live")).to_have_attribute("data-state", "live")
    page.evaluate("window.noReloadMarker = true")


def test_the_card_page_follows_changes_live_and_an_edit_in_progress_is_never_lost(live_server, browsing):
    from playwright.sync_api import expect

    sam = browsing.sign_in("sam@socialwork.test")
    sam.set_viewport_size(WIDE)
    board = new_board(sam, live_server.space_id(CRISIS))
    card = api_post(sam, f"/boards/{board['id']}/cards", {"column_id": board["columns"][1]["id"],
                                                           "title": "Draft the visit checklist",
                                                           "description": "First draft by Sam."})
    open_card(sam, card["id"])
    lee = browsing.sign_in("lee@policing.test")

    # 1. Lee renames it, sets a due date and moves it: Sam's page follows, in place, no reload.
    changed = api_request(lee, "PATCH", f"/cards/{card['id']}", {"version": 1, "title": "Visit checklist, v2",
                                                                  "due_on": "2027-03-10"})
    api_request(lee, "POST", f"/cards/{card['id']}/move", {"column_id": board["columns"][2]["id"],
                                                           "version": changed["version"]})
    expect(sam.get_by_role("heading", level=1)).to_have_text("Visit checklist, v2")
    expect(sam.locator('[data-card-fragment="status"]')).to_contain_text("In Doing")
    expect(sam.locator('[data-card-fragment="status"]')).to_contain_text("version 3")
    expect(sam.locator('[data-card-fragment="people"]')).to_contain_text("10 Mar 2027")
    expect(sam.locator('[data-card-fragment="history"]')).to_contain_text("moved from “To do” to “Doing” by Lee Brennan")
    # The edit form, untouched, shows the new version and is based on it.
    expect(sam.get_by_label("Title", exact=True)).to_have_value("Visit checklist, v2")
    expect(sam.get_by_label("Due date")).to_have_value("2027-03-10")
    expect(sam.get_by_label("Move to column")).to_have_value(str(board["columns"][2]["id"]))
    assert sam.evaluate("window.noReloadMarker") is True

    # 2. Sam is writing the description when Lee changes it too: told at once, nothing lost.
    description = sam.get_by_label("Description (Markdown)")
    description.fill("Sam's careful rewrite of the checklist.")
    api_request(lee, "PATCH", f"/cards/{card['id']}", {"version": 3, "description": "Lee's version of it."})
    notice = sam.locator("#card-changed")
    expect(notice).to_contain_text("This card was changed by Lee Brennan while you were editing")
    expect(notice).to_contain_text("description")
    expect(description).to_have_value("Sam's careful rewrite of the checklist.")
    expect(sam.locator("#card-description")).to_contain_text("Lee's version of it.")
    check_accessibility(sam)
    # Keep yours: saving applies Sam's description over Lee's card, without a 409, keeping Lee's title.
    notice.get_by_role("button", name="Keep yours").click()
    expect(notice).to_contain_text("Your edit is kept")
    expect(description).to_be_focused()
    sam.get_by_role("button", name="Save the card").click()
    expect(sam.locator(".flashes")).to_contain_text("Card saved.")
    now = api_request(lee, "GET", f"/cards/{card['id']}")
    assert (now["title"], now["description"], now["due_on"]) == \
        ("Visit checklist, v2", "Sam's careful rewrite of the checklist.", "2027-03-10")

    # 3. Use their version: the form takes Lee's text, Sam's stays on the page to copy from.
    open_card(sam, card["id"])
    description.fill("Another idea of Sam's.")
    api_request(lee, "PATCH", f"/cards/{card['id']}", {"version": now["version"], "description": "Lee insists."})
    notice.get_by_role("button", name="Use their version").click()
    expect(description).to_have_value("Lee insists.")
    expect(sam.get_by_label("Your description (not saved)")).to_have_value("Another idea of Sam's.")
    expect(notice).to_be_focused()
    check_accessibility(sam)
    sam.set_viewport_size(PHONE)
    check_accessibility(sam)
    assert sam.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert sam.evaluate("window.noReloadMarker") is True
    assert browsing.errors == []
