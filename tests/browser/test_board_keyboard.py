"""In a real browser: a card moved from the keyboard in one page arrives in another page, live."""
import pytest

from tests.realtime.test_boards_live import api, demo_board

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_card_moved_by_keyboard_arrives_in_another_page(live_server, browsing):
    token = live_server.create_token("lee@policing.test")
    board = demo_board(live_server, token)
    columns = {c["title"]: c for c in board["columns"]}
    card = columns["To do"]["cards"][0]
    doing = columns["Doing"]["id"]
    mover = browsing.sign_in("sam@socialwork.test")
    watcher = browsing.sign_in("lee@policing.test")
    for page in (mover, watcher):
        page.goto(f"/boards/{board['id']}")
        page.wait_for_selector('#board-live[data-state="live"]')

    tile = mover.locator(f"#card-{card['id']}")
    tile.focus()
    mover.keyboard.press("Space")
    announcer = mover.locator("#board-announcer")
    announcer.filter(has_text="Picked up").wait_for()
    mover.keyboard.press("ArrowRight")
    announcer.filter(has_text="Doing, position").wait_for()
    assert mover.locator(f"#column-{doing} #card-{card['id']}").count() == 1
    mover.keyboard.press("Space")
    announcer.filter(has_text="moved to Doing").wait_for()

    watcher.wait_for_selector(f"#column-{doing} #card-{card['id']}")
    # The feed is collapsed by default (one Tab stop, not thirty): read its text, shown or not.
    assert watcher.locator("#activity-feed li").first.text_content().strip().startswith(card["title"])
    # Escape puts a picked-up card back where it was, and nothing is sent.
    tile = mover.locator(f"#card-{card['id']}")
    tile.focus()
    mover.keyboard.press("Space")
    mover.keyboard.press("ArrowRight")
    mover.keyboard.press("Escape")
    announcer.filter(has_text="Move cancelled").wait_for()
    assert mover.locator(f"#column-{doing} #card-{card['id']}").count() == 1
    now = api(token).get(f"{live_server.url}/api/v1/cards/{card['id']}").json()
    assert now["column_id"] == doing and now["version"] == card["version"] + 1
    assert browsing.errors == []
