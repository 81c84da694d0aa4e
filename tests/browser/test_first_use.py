"""First use in the browser (issue 8, items 2, 3 and 5): a refused endorsement, sign-in limits, asking
to join; each page touched is checked with axe-core at 1280 px and 390 px (no serious or critical issue).

New people are made with the CLI (the registration form is rate-limited per address, and other
tests use it); each test makes its own, so the tests do not depend on each other.
"""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_accessibility_issues
from tests.live_server import CRISIS, PASSWORD, sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya@psychiatry.test"
WIDTHS = (1280, 390)


# --- helpers ----------------------------------------------------------------------------------

def new_person(live_server, name: str) -> str:
    email = f"first-use-{uuid.uuid4().hex[:8]}@example.test"
    live_server.flask("create-user", email, "--name", name, "--password", PASSWORD)
    return email


def sign_in_through_the_form(browsing, email: str, password: str = PASSWORD):
    page = browsing.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page


def assert_accessible_at_every_width(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        issues = serious_accessibility_issues(page)
        assert issues == [], f"at {width} px:\n" + "\n".join(issues)


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


# --- 2. a refused endorsement -------------------------------------------------------------------

def test_a_refused_position_keeps_the_choice_shows_why_beside_the_note_and_focuses_it(browsing, live_server):
    priya = browsing.sign_in(PRIYA)
    token = priya.locator('meta[name="csrf-token"]').get_attribute("content")
    created = priya.request.post(f"/api/v1/spaces/{live_server.space_id(CRISIS)}/documents",
                                 data={"title": f"Reservations {uuid.uuid4().hex[:6]}", "text": "We agree."},
                                 headers={"X-CSRFToken": token})
    assert created.ok, created.text()
    document_id = created.json()["id"]
    assert priya.request.post(f"/api/v1/documents/{document_id}/review", data={},
                              headers={"X-CSRFToken": token}).ok
    priya.goto(f"/documents/{document_id}")

    form = priya.locator("#position-form")
    form.get_by_label("On behalf of").select_option(label="Psychiatry")
    form.get_by_label("Position").select_option(label="Endorse with reservations")
    form.get_by_role("button", name="Record position").click()

    # The message is beside the note, in view, and focus is on the note it explains.
    error = priya.locator("#note-error")
    expect(error).to_have_text(re.compile("Write your reservations"))
    expect(error).to_be_in_viewport()
    expect(priya.locator("#note")).to_be_focused()
    expect(priya.locator("#note")).to_have_attribute("aria-describedby", "note-error")
    # Nothing was reset: one more click cannot record a position nobody chose.
    expect(form.get_by_label("Position")).to_have_value("reservations")
    expect(priya.locator("#endorsement-record tbody tr").filter(has_text="Psychiatry")).to_contain_text(
        "Has not acted yet")
    assert_accessible_at_every_width(priya)

    priya.set_viewport_size({"width": 1280, "height": 800})
    priya.locator("#note").fill("Only if the crisis line is staffed at night.")
    form.get_by_role("button", name="Record position").click()
    row = priya.locator("#endorsement-record tbody tr").filter(has_text="Psychiatry")
    expect(row).to_contain_text("Endorse with reservations")

    # On a phone the record's Note is read in full, not clipped by a table wider than the screen.
    priya.set_viewport_size({"width": 390, "height": 800})
    note = row.locator("td").filter(has_text="staffed at night")
    note.scroll_into_view_if_needed()
    box = note.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert priya.evaluate("document.documentElement.scrollWidth") <= 390 + 2
    assert priya.evaluate("(t) => t.scrollWidth <= t.clientWidth + 1",
                          priya.locator("#endorsement-record").element_handle()), "the record scrolls sideways"

    # Printed, the page is the document: no "Text (Markdown)" or "Preview" working headings.
    priya.emulate_media(media="print")
    expect(priya.locator("#editor-heading")).to_be_hidden()
    expect(priya.locator("#preview-heading")).to_be_hidden()
    expect(priya.locator("#preview")).to_contain_text("We agree.")
    expect(priya.locator("#endorsement-record")).to_be_visible()


# --- 3. sign-in limits --------------------------------------------------------------------------

def test_colleagues_behind_one_address_sign_in_together(live_server):
    people = ["priya@psychiatry.test", "sam@socialwork.test", "lee@policing.test", "omar@psychiatry.test",
              "maria@socialwork.test", "jo@policing.test", "admin@convene.test"]
    for n in range(21):  # three rounds of the demo's seven people, all from 127.0.0.1, in well under a minute
        sign_in(live_server, people[n % len(people)])


def test_the_sixth_wrong_password_gets_the_sites_page_saying_when_to_try_again(browsing, live_server):
    email = new_person(live_server, "Tess Typo")
    page = browsing.new_page()
    page.goto("/login")
    for _attempt in range(5):
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill("not my password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("That email and password do not match an active account.")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not my password")
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    response = answer.value
    assert response.status == 429
    assert 1 <= int(response.headers["retry-after"]) <= 61
    expect(page.get_by_role("heading", level=1)).to_have_text("Please wait a moment")
    expect(page.get_by_text("Please try again in a minute.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # the site's own layout
    assert_accessible_at_every_width(page)

    # A colleague at the same address is not locked out by these typos.
    colleague = sign_in_through_the_form(browsing, new_person(live_server, "Cole League"))
    expect(colleague.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome, "))


# --- 5. asking to join --------------------------------------------------------------------------

def test_after_asking_to_join_the_page_says_so_and_offers_to_withdraw(browsing, live_server):
    page = sign_in_through_the_form(browsing, new_person(live_server, "Nia Newcomer"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome, "))
    stale = page.context.new_page()  # the same person with a second tab open on the same page
    stale.goto("/communities/social-work")
    page.goto("/communities/social-work")
    page.get_by_label("Message").fill("I coordinate the crisis line.")
    page.get_by_role("button", name="Send request").click()

    status = page.locator("#join-request-status")
    expect(status).to_have_text(re.compile(r"^Request sent on \d{1,2} \w{3} \d{4}, waiting for a steward\.$"))
    expect(page.get_by_role("button", name="Send request")).to_have_count(0)
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    assert_accessible_at_every_width(page)

    # The older tab still offers the form: sending from it is refused, with the reason.
    stale.get_by_role("button", name="Send request").click()
    expect(stale.get_by_role("alert")).to_contain_text("a steward has not answered yet")
    expect(stale.locator("#join-request-status")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Withdraw my request").click()
    expect(page.get_by_text("Your request to join Social Work is withdrawn.")).to_be_visible()
    expect(page.get_by_role("button", name="Send request")).to_be_visible()


# --- 12. the bridges table ------------------------------------------------------------------------

def test_bridge_buttons_keep_their_words_whole_and_say_who_is_awaited(browsing, live_server):
    sam = browsing.sign_in("sam@socialwork.test")
    sam.goto(f"/spaces/{live_server.space_id('Referral guidelines')}/glossary")
    row = sam.locator("tr").filter(has_text="A clinical assessment is not a Care Act needs assessment.")
    expect(row).to_contain_text("proposed, waiting for Social Work to confirm")
    for width in WIDTHS:
        sam.set_viewport_size({"width": width, "height": 800})
        confirm = row.get_by_role("button", name="Confirm")
        lines = confirm.evaluate("(b) => { const r = document.createRange(); r.selectNodeContents(b);"
                                 " return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }")
        assert lines == 1, f"at {width} px “Confirm” breaks over {lines} lines"
    assert_accessible_at_every_width(sam)


# --- 12. forms: the propose-space form and every field's attributes -------------------------------

def test_the_propose_space_form_offers_only_other_communities_and_passes_axe(browsing):
    priya = browsing.sign_in(PRIYA)
    priya.goto("/spaces/new")
    invitees = priya.get_by_role("group", name="Communities to invite").or_(priya.locator("#community_ids"))
    expect(invitees.get_by_label("Social Work")).to_be_visible()
    expect(invitees.get_by_label("Psychiatry")).to_have_count(0)
    assert priya.locator('[aria-describedby="None"], [rows="None"], [autocomplete="None"]').count() == 0
    assert_accessible_at_every_width(priya)


def test_the_sign_in_page_passes_axe_at_both_widths(browsing):
    page = browsing.new_page()
    page.goto("/login")
    assert page.locator('[aria-describedby="None"], [autocomplete="None"]').count() == 0
    assert_accessible_at_every_width(page)
