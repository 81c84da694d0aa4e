"""Browser fixtures: Debian's Chromium driven by Playwright against the live gunicorn server."""
import os
import re
from pathlib import Path

import pytest

from tests.live_server import ROOT, live_server  # noqa: F401  (live_server is a fixture)

CHROMIUM = Path("/usr/bin/chromium")
# Exactly these: Debian's build under Playwright (see TOOLCHAIN.md, trap 10). Never `playwright install`.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 10_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell that the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (`make chromium` as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Browsing:
    """Separate browser contexts (separate people, separate cookies) and the errors their pages log."""

    def __init__(self, browser, base_url: str, signed_in_states: dict | None = None):
        self.browser = browser
        self.base_url = base_url
        self.signed_in_states = {} if signed_in_states is None else signed_in_states
        self.contexts = []
        self.pages = []
        self.errors: list[str] = []

    def new_page(self, storage_state=None):
        context = self.browser.new_context(base_url=self.base_url, storage_state=storage_state)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and self.errors.append(
            f"{page.url}: console error: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        self.pages.append(page)
        return page

    def sign_in(self, email: str, password: str = "convene-demo"):
        """Open a fresh context signed in as `email`; return the page, on the home page.

        The first time in the session a person signs in through the form; later contexts reuse
        that sign-in's cookies (the form is rate-limited: 5 a minute from one address). A test that
        signs out must sign in through the form itself, not through this.
        """
        from playwright.sync_api import expect

        state = self.signed_in_states.get(email)
        page = self.new_page(storage_state=state)
        if state is None:
            page.goto("/login")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
        else:
            page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome, "))
        if state is None:
            self.signed_in_states[email] = page.context.storage_state()
        return page

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, page in enumerate(self.pages, 1):
            if not page.is_closed():
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session")
def signed_in_states():
    """Each person's signed-in cookies (Playwright storage state), shared by every browser test."""
    return {}


@pytest.fixture
def browsing(request, browser, live_server, signed_in_states):
    """Return a Browsing on the live server; screenshots go to test-artifacts/ when the test fails."""
    session = Browsing(browser, live_server.url, signed_in_states)
    yield session
    try:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            session.screenshot(re.sub(r"[^\w.-]+", "_", request.node.name))
    finally:
        session.close()
