"""In two real browsers (issue 11): a psychiatrist starts a breakthrough activity, he and a social worker
tick steps and see each other's progress live, then each judges it for their community and both see
it become a breakthrough. The activity page passes axe-core."""
import re

import pytest
import requests

from tests.browser.test_board_first_use import check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_two_communities_tick_steps_live_then_each_judges_the_activity(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    omar = browsing.sign_in("omar@psychiatry.test")
    omar.goto(f"/spaces/{space_id}")
    omar.get_by_role("link", name="Start an activity").click()
    omar.get_by_role("radio", name=re.compile("Shared vocabulary sprint")).check()
    omar.get_by_role("button", name="Start the activity").click()
    expect(omar.get_by_role("heading", level=1)).to_have_text("Shared vocabulary sprint")
    expect(omar.locator("#days-left")).to_have_text("7 days left")
    activity_url = omar.url

    sam = browsing.sign_in("sam@socialwork.test")
    sam.goto(activity_url)
    for page in (omar, sam):
        expect(page.locator("#activity-live")).to_have_attribute("data-state", "joined")

    # Omar ticks step 1: Sam sees it done, by whom, and Psychiatry now shows Omar as taking part.
    omar.get_by_role("button", name="Mark step 1 done").click()
    expect(sam.locator("#step-1 [data-role=state]")).to_have_text("Done — ticked by Omar Haddad")
    expect(sam.locator("#steps-count")).to_have_text("(1 of 4 done)")
    expect(sam.locator("#activity-participation")).to_contain_text("Omar Haddad")
    # Sam ticks step 2 from the keyboard: Omar sees it.
    sam.get_by_role("button", name="Mark step 2 done").focus()
    sam.keyboard.press("Enter")
    expect(omar.locator("#step-2 [data-role=state]")).to_have_text("Done — ticked by Sam Okafor")
    expect(omar.locator("#steps-count")).to_have_text("(2 of 4 done)")
    expect(sam.get_by_role("button", name="Mark step 2 not done")).to_be_visible()
    check_accessibility(sam)

    # Omar closes it early; each then answers for their own community, and sees the other's answer live.
    omar.get_by_role("button", name="Close the activity").click()
    expect(sam.locator("#activity-live")).to_contain_text("closed")
    omar.get_by_label("Useful", exact=True).check()
    omar.get_by_label("What would you change?").fill("Nothing: do it again with the police.")
    omar.get_by_role("button", name="Record our answer").click()
    psychiatry_on_sams_page = sam.locator("#activity-verdicts > li", has_text="Psychiatry")
    expect(psychiatry_on_sams_page.locator("[data-role=verdict]")).to_have_text("useful")
    expect(psychiatry_on_sams_page).to_contain_text("Omar Haddad: useful — would change: Nothing: do it again")

    sam.reload()
    sam.get_by_label("Useful", exact=True).check()
    sam.get_by_role("button", name="Record our answer").click()
    expect(sam.locator("#breakthrough-notice")).to_be_visible()
    expect(omar.locator("#breakthrough-notice")).to_have_text("A breakthrough: every community found it useful.")
    check_accessibility(omar)
    assert browsing.errors == []


def test_library_start_page_and_space_section_pass_axe(live_server, browsing):
    from playwright.sync_api import expect

    space_id = live_server.space_id("Referral guidelines")
    sam = browsing.sign_in("sam@socialwork.test")
    sam.goto(f"/activity-templates?space={space_id}")
    sam.get_by_label("Creates").select_option("glossary")
    sam.get_by_role("button", name="Filter").click()
    expect(sam.locator(".activity-template")).to_have_count(2)
    check_accessibility(sam)
    sam.goto(f"/spaces/{space_id}/activities/new")
    check_accessibility(sam)
    sam.goto(f"/spaces/{space_id}")
    expect(sam.locator("#space-activities > ul")).to_contain_text("Breakthrough")
    check_accessibility(sam)
    sam.goto("/communities/social-work")
    expect(sam.locator("#breakthroughs-heading")).to_be_visible()
    check_accessibility(sam)
    assert browsing.errors == []


def test_the_space_page_follows_an_activity_live_from_start_to_verdicts(live_server, browsing):
    """María has the crisis space open; Lee starts, ticks, closes and judges an activity through the API."""
    from playwright.sync_api import expect

    space_id = live_server.space_id("Crisis response policy 2027")
    lee = requests.Session()
    lee.headers["Authorization"] = f"Bearer {live_server.create_token('lee@policing.test')}"
    maria = browsing.sign_in("maria@socialwork.test")
    maria.goto(f"/spaces/{space_id}")
    expect(maria.locator("#presence-state")).to_have_attribute("data-state", "connected")
    announced = maria.locator("#space-activities-live")

    started = lee.post(f"{live_server.url}/api/v1/spaces/{space_id}/activities",
                       json={"template": "what-we-think-you-value"}, timeout=10)
    assert started.status_code == 201, started.text
    activity = started.json()
    total = len(activity["steps"])
    item = maria.locator(f'#space-activities [data-activity-id="{activity["id"]}"]')
    expect(item.get_by_role("link", name=activity["title"])).to_be_visible()
    expect(item.locator("[data-role=progress]")).to_have_text(f"open, 0 of {total} steps done")
    expect(announced).to_have_text(f"Activity “{activity['title']}” started.")

    done = lee.post(f"{live_server.url}/api/v1/activities/{activity['id']}/steps/1/done", timeout=10)
    assert done.status_code == 200, done.text
    expect(item.locator("[data-role=progress]")).to_have_text(f"open, 1 of {total} steps done")
    expect(announced).to_have_text(f"{activity['title']}: step 1 done.")

    # María keeps her place: focus on the activity's link survives the list being fetched again.
    item.get_by_role("link", name=activity["title"]).focus()
    closed = lee.post(f"{live_server.url}/api/v1/activities/{activity['id']}/close", timeout=10)
    assert closed.status_code == 200, closed.text
    expect(item.locator("[data-role=progress]")).to_have_text(f"closed, 1 of {total} steps done")
    expect(item.get_by_role("link", name=activity["title"])).to_be_focused()

    policing = next(v["community_id"] for v in activity["verdicts"] if v["community"] == "Community Policing")
    judged = lee.post(f"{live_server.url}/api/v1/activities/{activity['id']}/judgements", timeout=10,
                      json={"community_id": policing, "verdict": "useful"})
    assert judged.status_code == 201, judged.text
    expect(item.locator(".activity-verdict-list > li", has_text="Community Policing")).to_contain_text("useful")
    expect(item.locator(".activity-verdict-list > li", has_text="Social Work")).to_contain_text("not answered yet")
    expect(announced).to_have_text(f"Community Policing answered for “{activity['title']}”: useful.")
    check_accessibility(maria)
    assert browsing.errors == []
