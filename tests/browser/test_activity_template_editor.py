"""The community activity-template editor (issue 11) in a real browser: a steward copies a template into her
community's library, edits it field by field, and the editor page passes axe-core as opened, after adding a
step, and with problems shown beside their fields."""
import re

import pytest

from tests.browser.axe import check_accessibility

pytestmark = pytest.mark.browser


def test_the_template_editor_passes_axe_as_opened_edited_and_refused(live_server, browsing):
    from playwright.sync_api import expect

    sam = browsing.sign_in("sam@socialwork.test")  # a Social Work steward
    sam.goto("/activity-templates")
    entry = sam.locator('.activity-template[data-template="referral-guidelines"]')
    entry.get_by_role("button", name="Copy into Social Work's library to edit").click()
    expect(sam).to_have_url(re.compile(r"/activity-templates/custom/\d+/edit$"))
    expect(sam.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(sam, "template editor, as opened")

    steps_before = sam.locator('input[name$="-title"][name^="steps-"]').count()
    sam.get_by_role("button", name="Add a step").first.click()
    expect(sam.locator('input[name$="-title"][name^="steps-"]')).to_have_count(steps_before + 1)
    check_accessibility(sam, "template editor, a step added")

    sam.locator('input[name="steps-0-title"]').fill("")
    sam.locator("button.button", has_text="Save the template").click()
    expect(sam.locator(".error").first).to_be_visible()
    check_accessibility(sam, "template editor, refused with problems beside the fields")
    # Chromium logs the refusal's 422 as a failed load; that answer is the one we asked for.
    assert [e for e in browsing.errors if "status of 422" not in e] == []
