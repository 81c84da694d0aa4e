"""In a real browser: a card moved from the keyboard in one page arrives in another page, live."""
import os
import shutil

import pytest

from tests.boards_server import boards_server  # noqa: F401  (fixture)
from tests.realtime.test_boards_live import demo_board

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing at /usr/bin/chromium")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def signed_in_page(browser, server, email):
    page = browser.new_context().new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "convene-demo")
    page.click("form button[type=submit]")
    page.wait_for_url(server.url + "/")
    return page


def test_card_moved_by_keyboard_arrives_in_another_page(browser, boards_server):
    board = demo_board(boards_server)
    columns = {c["title"]: c for c in board["columns"]}
    card = columns["To do"]["cards"][0]
    doing = columns["Doing"]["id"]
    mover = signed_in_page(browser, boards_server, "sam@socialwork.test")
    watcher = signed_in_page(browser, boards_server, "lee@policing.test")
    for page in (mover, watcher):
        page.goto(f"{boards_server.url}/boards/{board['id']}")
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
    assert watcher.locator(f"#activity-feed li").first.inner_text().startswith(card["title"])
    # Escape puts a picked-up card back where it was, and nothing is sent.
    tile = mover.locator(f"#card-{card['id']}")
    tile.focus()
    mover.keyboard.press("Space")
    mover.keyboard.press("ArrowRight")
    mover.keyboard.press("Escape")
    announcer.filter(has_text="Move cancelled").wait_for()
    assert mover.locator(f"#column-{doing} #card-{card['id']}").count() == 1
    now = boards_server.api("lee@policing.test").get(f"{boards_server.url}/api/v1/cards/{card['id']}").json()
    assert now["column_id"] == doing and now["version"] == card["version"] + 1
