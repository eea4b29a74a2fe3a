"""A real browser (Playwright driving Debian's chromium) walks a hotfix on the dashboard: the
engineer who requested it watches its page, an approver approves it in another browser, the
requester never sees an Approve button, and their timeline updates without a reload. A
screenshot of the hotfix page is kept under test-artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.live import LiveServer, email, live_server

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    assert shutil.which(CHROMIUM), "install Debian's chromium: apt-get install chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as live:
        yield live


def signed_in(chromium: Any, live: LiveServer, role: str) -> Any:
    page = chromium.new_context().new_page()
    page.goto(f"{live.url}/ui/login")
    page.get_by_label("Your token").fill(live.tokens[role])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.url}/ui/p/default/hotfixes")
    return page


def test_a_hotfix_walked_in_the_browser(chromium: Any, server: LiveServer) -> None:
    from playwright.sync_api import expect

    key = server.opened("engineer")
    requester = signed_in(chromium, server, "engineer")
    requester.get_by_role("link", name=key).click()
    expect(requester.get_by_role("heading", level=1)).to_contain_text(f"{key}: Checkout 500")
    expect(requester.get_by_role("button", name="Approve")).to_have_count(0)
    expect(requester.locator("#state")).to_have_text("triaged")

    approver = signed_in(chromium, server, "approver")
    approver.goto(f"{server.url}/ui/p/default/hotfixes/{key}")
    approver.get_by_label("Note").fill("go, ship it")
    approver.get_by_role("button", name="Approve").click()
    expect(approver.get_by_role("status")).to_contain_text(f"{key} approved")
    expect(approver.get_by_role("button", name="Approve")).to_have_count(0)

    # the requester's page was not reloaded: the live timeline brought the approval
    row = requester.locator("#timeline tr").last
    expect(row).to_contain_text(f"{email('approver')}", timeout=10_000)
    expect(row).to_contain_text("approve go, ship it")
    expect(requester.locator("#state")).to_have_text("approved")
    assert requester.evaluate("performance.getEntriesByType('navigation').length") == 1
    ARTIFACTS.mkdir(exist_ok=True)
    requester.screenshot(path=str(ARTIFACTS / "dashboard-hotfix.png"), full_page=True)
    assert (ARTIFACTS / "dashboard-hotfix.png").stat().st_size > 10_000
