"""Every page works under the Content-Security-Policy (issue 12): a walk over every HTML page.

The pages are enumerated from the permission table (which a test keeps equal to `app.url_map`),
filled with ids from the demo world built in the live server's own database, so a page added later
is walked too. Each is opened as someone allowed to see it; any CSP violation (the browser's
`securitypolicyviolation` event or its console message) fails the test.
"""
import json
import re
import subprocess
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.live_server import BIN, ROOT
from tests.permission_rows import merged
from tests.permission_rows.actors import ACTORS

pytestmark = pytest.mark.browser

TABLE = merged("TABLE")
NOT_PAGES = ("/api/", "/static/", "/socket.io/")
# Listen from the first byte of every document, before any page script runs (Playwright's init
# scripts are not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""
BUILD_WORLD = """
import json
from workspace import create_app
from workspace.accounts import services as accounts
from workspace.extensions import db
from tests.conftest import OUTSIDER
from tests.permission_rows import build_all
app = create_app()
with app.app_context():
    if accounts.find_user_by_email(OUTSIDER) is None:
        accounts.register_user(email=OUTSIDER, display_name="Oscar Outsider", password="convene-demo")
    ids = build_all()
    db.session.commit()
print(json.dumps({k: v for k, v in ids.items() if isinstance(v, (int, str))}))
"""


def _fill(template: str, ids: dict) -> str:
    return template.format(**ids)


@pytest.fixture(scope="module")
def demo_ids(live_server):
    """The permission table's objects, made in the live server's database by a separate process."""
    result = subprocess.run([str(BIN / "python"), "-c", BUILD_WORLD], cwd=ROOT, env=live_server.env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _walker(allowed: set[str]) -> str | None:
    for actor in ("admin", "moderator", "participant", "not_joined", "not_convened", "outsider", "anonymous"):
        if actor in allowed:
            return actor
    return None


def html_pages(ids: dict) -> list[tuple[str, str | None]]:
    """(path, who opens it) for every GET route that is not the API, a static file or a socket.

    Each page is opened by someone allowed to see it and, when visitors may, by a visitor too (the
    welcome page, sign-in and registration look different to them); plus an error page.
    """
    pages = []
    for (endpoint, method), (path, allowed) in sorted(TABLE.items()):
        if method != "GET" or path.startswith(NOT_PAGES):
            continue
        pages.append((_fill(path, ids), _walker(allowed)))
        if "anonymous" in allowed and _walker(allowed) != "anonymous":
            pages.append((_fill(path, ids), "anonymous"))
    pages.append(("/no-such-page", "admin"))
    return pages


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def open_as(browsing, actor: str | None):
    if actor in (None, "anonymous"):
        page = browsing.new_page()
    else:
        page = browsing.sign_in(ACTORS[actor])
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page


def test_every_page_renders_without_a_csp_violation(browsing, demo_ids):
    pages_by_actor: dict[str | None, object] = {}
    walked, problems = [], []
    for path, actor in html_pages(demo_ids):
        page = pages_by_actor.get(actor) or pages_by_actor.setdefault(actor, open_as(browsing, actor))
        head = page.request.get(path, max_redirects=0, fail_on_status_code=False)
        if (not head.headers.get("content-type", "").startswith("text/html")
                or head.headers.get("content-disposition", "").startswith("attachment")):
            continue  # a download or a JSON answer: the header table test checks its headers
        page.goto(path)
        page.wait_for_load_state("networkidle")
        walked.append(path)
        problems += [f"{path} as {actor}: {v}" for v in violations(page)]
    assert len(walked) >= 20, walked  # the walk really visited the site
    assert problems == []
    assert [e for e in browsing.errors if "Content Security Policy" in e or "Refused" in e] == []
    expected_404 = "/no-such-page: console error: Failed to load resource: the server responded with a status of 404"
    assert [e for e in browsing.errors if expected_404 not in e] == []


def test_community_colours_survive_the_policy(browsing):
    page = open_as(browsing, "moderator")
    page.goto("/profile")
    badge = page.locator(".badge", has_text="Social Work").first
    expect(badge).to_be_visible()
    colour = badge.evaluate("(el) => getComputedStyle(el).getPropertyValue('--community').trim()")
    assert re.fullmatch(r"#[0-9a-f]{6}", colour), colour
    assert violations(page) == []
    assert browsing.errors == []


def test_co_editing_with_remote_cursors_under_the_policy(browsing, live_server):
    """The editor's injected styles and the remote carets and selections are allowed; nothing else."""
    priya = open_as(browsing, "participant")  # Omar (Psychiatry) and Sam, both in the space
    sam = open_as(browsing, "moderator")
    space_id = live_server.space_id("Referral guidelines")
    token = priya.locator('meta[name="csrf-token"]').get_attribute("content")
    created = priya.request.post(f"/api/v1/spaces/{space_id}/documents",
                                 data={"title": f"CSP walk {uuid.uuid4().hex[:6]}", "text": "Shared words."},
                                 headers={"X-CSRFToken": token})
    assert created.ok, created.text()
    document_id = created.json()["id"]
    for page in (priya, sam):
        page.goto(f"/documents/{document_id}")
        expect(page.locator("#connection-state")).to_have_attribute("data-state", "saved")
    priya.locator(".cm-content").click()
    priya.keyboard.press("Control+End")
    priya.keyboard.type(" More words")
    priya.keyboard.press("Shift+Home")  # a selection the other editor sees
    expect(sam.locator(".cm-ySelectionCaret")).to_have_count(1)
    expect(sam.locator(".cm-ySelection").first).to_be_visible()
    caret_colour = sam.locator(".cm-ySelectionCaret").evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert caret_colour not in ("", "rgba(0, 0, 0, 0)"), "the remote caret's style was refused"
    assert violations(priya) == [] and violations(sam) == []
    assert browsing.errors == []


def test_board_drag_and_drop_and_live_moves_under_the_policy(browsing, live_server):
    """A card dragged with the mouse moves, and another person's page follows live, with no violation."""
    token = live_server.create_token("sam@socialwork.test")
    headers = {"Authorization": f"Bearer {token}"}
    space_id = live_server.space_id("Referral guidelines")
    boards = requests.get(f"{live_server.url}/api/v1/spaces/{space_id}/boards", headers=headers, timeout=10).json()
    board = requests.get(f"{live_server.url}/api/v1/boards/{boards['items'][0]['id']}", headers=headers,
                         timeout=10).json()
    source = next(c for c in board["columns"] if c["cards"])
    target = next(c for c in board["columns"] if c["id"] != source["id"])
    card = source["cards"][-1]
    mover, watcher = open_as(browsing, "moderator"), open_as(browsing, "participant")
    for page in (mover, watcher):
        page.goto(f"/boards/{board['id']}")
        page.wait_for_selector('#board-live[data-state="live"]')

    mover.locator(f"#card-{card['id']}").drag_to(mover.locator(f"#column-{target['id']} ol.board-cards"))

    watcher.wait_for_selector(f"#column-{target['id']} #card-{card['id']}")
    expect(mover.locator(f"#column-{target['id']} #card-{card['id']}")).to_have_count(1)
    assert violations(mover) == [] and violations(watcher) == []
    assert browsing.errors == []
