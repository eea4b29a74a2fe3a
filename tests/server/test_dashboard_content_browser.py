"""A marketer changes the shipping deadline in a real browser (Playwright driving Debian's
chromium): the form, a past date's error beside its field, the live preview, an approver
approving in their own browser, publish, and a shop page served by a real HTTP server
(which reads ``GET /content/v1/zones/shipping``) shows the new date; a revert brings the old
one back. Screenshots go to test-artifacts/ (HOTFIX_DOC_SCREENSHOTS=1: docs/content/, the
marketer's step-by-step in docs/content.md)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import date
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.live import LiveServer, live_server
from tests.server.test_content import published, synced
from tests.server.test_dashboard_browser import ARTIFACTS, chromium, signed_in

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "content"
YEAR = date.today().year + 1
OLD, NEW = f"{YEAR}-12-18", f"{YEAR}-12-20"
DOC_SHOTS = os.environ.get("HOTFIX_DOC_SCREENSHOTS") == "1"  # read before conftest clears it
__all__ = ["chromium"]  # the fixture, shared with the dashboard's browser test


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}",
                     "[content]\nmax_age = 0\n") as live:
        synced(live)
        yield live


@pytest.fixture
def shop(server: LiveServer) -> Iterator[str]:
    """The shop's home page, on its own HTTP server: its banner reads the shipping zone."""

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            zone = httpx.get(f"{server.url}/content/v1/zones/shipping", timeout=10).json()
            deadline = zone["values"].get("deadline", "the usual date")
            body = (f"<!doctype html><title>Shop</title><h1>Shop</h1><p id='banner'>Order by "
                    f"{escape(str(deadline))} for delivery before the holidays</p>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()


def shot(page: Any, name: str) -> None:
    folder = DOCS if DOC_SHOTS else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    if DOC_SHOTS:  # the docs' copies: 64 colours keep them small
        from PIL import Image

        Image.open(path).convert("RGB").quantize(colors=64).save(path, optimize=True)


def test_a_marketer_changes_the_shipping_deadline_and_reverts_it(
        chromium: Any, server: LiveServer, shop: str) -> None:
    from playwright.sync_api import expect

    first = published(server, OLD, "<p>Order by <strong>Dec 18</strong></p>")
    customer = chromium.new_context().new_page()
    customer.goto(shop)
    expect(customer.locator("#banner")).to_contain_text(f"Order by {OLD}")

    marketer = signed_in(chromium, server, "marketer")
    marketer.set_viewport_size({"width": 1000, "height": 720})
    marketer.get_by_role("link", name="Content", exact=True).click()
    marketer.get_by_role("link", name="shipping-deadline").click()
    deadline = marketer.locator("#slot-deadline")
    expect(deadline).to_have_value(OLD)  # the form starts from what the zone shows
    deadline.fill(f"{date.today().year - 1}-12-20")
    expect(marketer.locator("#err-deadline")).to_contain_text("is in the past")
    shot(marketer, "form-error")
    deadline.fill(NEW)
    marketer.locator("#slot-note").fill("<p>Order by <strong>Dec 20</strong></p>")
    expect(marketer.locator("#err-deadline")).to_have_text("")
    expect(marketer.locator("#preview time")).to_have_text(NEW)
    expect(marketer.locator("#preview strong")).to_have_text("Dec 20")
    shot(marketer, "preview")
    marketer.get_by_role("button", name="Draft the change").click()
    status = marketer.get_by_role("status")
    expect(status).to_contain_text("drafted")
    key = status.inner_text().split(" ")[0]
    expect(marketer.locator(f"#change-{key}")).to_contain_text("waits for an approver")

    approver = signed_in(chromium, server, "approver")
    approver.goto(f"{server.url}/ui/p/default/hotfixes/{key}")
    approver.get_by_role("button", name="Approve").click()
    expect(approver.get_by_role("status")).to_contain_text(f"{key} approved")

    marketer.reload()
    marketer.get_by_role("button", name=f"Publish {key}").click()
    expect(marketer.get_by_role("status")).to_contain_text(f"{key} published")
    expect(marketer.locator("#live-shipping time")).to_have_text(NEW)
    customer.reload()
    expect(customer.locator("#banner")).to_contain_text(f"Order by {NEW}")
    shot(marketer, "published")

    marketer.get_by_role("button", name=f"Revert {key}").click()
    expect(marketer.get_by_role("status")).to_contain_text(f"{key} reverted")
    expect(marketer.locator("#live-shipping time")).to_have_text(OLD)
    customer.reload()
    expect(customer.locator("#banner")).to_contain_text(f"Order by {OLD}")
    assert httpx.get(f"{server.url}/content/v1/zones/shipping").json()["record"] == first
