"""The sample web shop's files, version by version (stdlib only, served on loopback)."""

from __future__ import annotations

PYPROJECT = """\
[project]
name = "shop"
version = "{version}"
requires-python = ">=3.11"
dependencies = []

[project.optional-dependencies]
test = ["pytest"]
"""

INIT = '__version__ = "{version}"\n'

CATALOG = '''\
"""Products and stock levels."""

PRODUCTS = {
    "mug": {"name": "Hotfix mug", "price": 12.0, "stock": 40},
    "tee": {"name": "On-call tee", "price": 25.0, "stock": 15},
    "pager": {"name": "Retro pager", "price": 99.0, "stock": 3},
}


def price(sku: str) -> float:
    return float(PRODUCTS[sku]["price"])


def in_stock(sku: str, qty: int) -> bool:
    return sku in PRODUCTS and int(PRODUCTS[sku]["stock"]) >= qty
'''

SEARCH = '''

def search(text: str) -> list[str]:
    """Products whose name contains ``text`` (case-insensitive)."""
    needle = text.lower()
    return [sku for sku, p in PRODUCTS.items() if needle in str(p["name"]).lower()]
'''

CHECKOUT_V1 = '''\
"""Checkout: totals for a cart."""

from shop.catalog import in_stock, price


class CheckoutError(ValueError):
    pass


def total(items: list[dict], card_country: str) -> float:
    amount = 0.0
    for item in items:
        if not in_stock(item["sku"], item["qty"]):
            raise CheckoutError(f"out of stock: {item['sku']}")
        amount += price(item["sku"]) * item["qty"]
    return round(amount, 2)
'''

CHECKOUT_VAT = '''\
"""Checkout: totals for a cart, with VAT for EU cards."""

from shop.catalog import in_stock, price

EU = {"AT", "BE", "DE", "ES", "FR", "IT", "NL"}
VAT_RATES = {"de": 0.19, "es": 0.21, "fr": 0.20, "it": 0.22, "nl": 0.21}
DEFAULT_EU_VAT = 0.21


class CheckoutError(ValueError):
    pass


def vat_rate(card_country: str) -> float:
    if card_country.upper() in EU:
        return VAT_RATES[card_country]
    return 0.0


def total(items: list[dict], card_country: str) -> float:
    amount = 0.0
    for item in items:
        if not in_stock(item["sku"], item["qty"]):
            raise CheckoutError(f"out of stock: {item['sku']}")
        amount += price(item["sku"]) * item["qty"]
    return round(amount * (1 + vat_rate(card_country)), 2)
'''

BUGGY_LINE = "        return VAT_RATES[card_country]\n"
FIXED_LINE = "        return VAT_RATES.get(card_country.lower(), DEFAULT_EU_VAT)\n"
# a later "improvement" that is itself broken: one checkout in 33 fails (3%)
RATE_SERVICE_OLD = "def total(items: list[dict], card_country: str) -> float:\n    amount = 0.0\n"
RATE_SERVICE_NEW = (
    "_calls = iter(range(1, 10**12))\n\n\n"
    "def total(items: list[dict], card_country: str) -> float:\n"
    "    if next(_calls) % 33 == 0:  # the rate service drops every 33rd call\n"
    "        raise TimeoutError('rate service timeout')\n"
    "    amount = 0.0\n"
)
TEST_RATE = '''

def test_total_is_stable_for_a_few_calls():
    assert {total([{"sku": "tee", "qty": 1}], "US") for _ in range(5)} == {25.0}
'''

SERVER = '''\
"""HTTP server: python -m shop.server --port 8000"""

import argparse
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shop import __version__
from shop.catalog import PRODUCTS
from shop.checkout import CheckoutError, total

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_lock = threading.Lock()
_counts: dict[str, int] = {}
_hist = [0] * (len(BUCKETS) + 1)
_sum = [0.0]


def _observe(status: int, seconds: float) -> None:
    with _lock:
        _counts[str(status)] = _counts.get(str(status), 0) + 1
        index = next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))
        _hist[index] += 1
        _sum[0] += seconds


def metrics_text() -> str:
    with _lock:
        lines = ["# TYPE http_requests_total counter"]
        lines += [f'http_requests_total{{status="{s}"}} {n}' for s, n in sorted(_counts.items())]
        lines.append("# TYPE http_request_duration_seconds histogram")
        running = 0
        for bound, count in zip((*BUCKETS, "+Inf"), _hist):
            running += count
            lines.append(f'http_request_duration_seconds_bucket{{le="{bound}"}} {running}')
        lines.append(f"http_request_duration_seconds_sum {_sum[0]}")
        lines.append(f"http_request_duration_seconds_count {running}")
    return "\\n".join(lines) + "\\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once behind a keep-alive proxy

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: object, ctype: str = "application/json") -> None:
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Shop-Version", __version__)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        start = time.perf_counter()
        if self.path == "/health":
            status, body = 200, {"ok": True, "version": __version__}
        elif self.path == "/products":
            status, body = 200, PRODUCTS
        elif self.path == "/metrics":
            self._send(200, metrics_text(), "text/plain; version=0.0.4")
            return
        else:
            status, body = 404, {"error": "not found"}
        self._send(status, body)
        _observe(status, time.perf_counter() - start)

    def do_POST(self) -> None:
        start = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        if self.path != "/checkout":
            status, body = 404, {"error": "not found"}
        else:
            status, body = self._checkout(raw)
        self._send(status, body)
        _observe(status, time.perf_counter() - start)

    def _checkout(self, raw: bytes) -> tuple[int, object]:
        time.sleep(random.lognormvariate(-4.2, 0.3))  # the order database: ~15 ms
        try:
            order = json.loads(raw or b"{}")
            amount = total(order.get("items", []), order.get("card_country", "US"))
        except CheckoutError as exc:
            return 409, {"error": str(exc)}
        except Exception as exc:  # the bug shows up here as a 500
            return 500, {"error": type(exc).__name__}
        return 200, {"total": amount, "version": __version__}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
'''

TEST_CATALOG = '''\
from shop.catalog import in_stock, price


def test_price():
    assert price("mug") == 12.0


def test_stock():
    assert in_stock("tee", 2)
    assert not in_stock("pager", 10)
'''

TEST_SEARCH = '''\
from shop.catalog import search


def test_search_is_case_insensitive():
    assert search("MUG") == ["mug"]
'''

TEST_CHECKOUT = '''\
import pytest

from shop.checkout import CheckoutError, total


def test_total_us_card_has_no_vat():
    assert total([{"sku": "mug", "qty": 2}], "US") == 24.0


def test_out_of_stock_is_refused():
    with pytest.raises(CheckoutError):
        total([{"sku": "pager", "qty": 5}], "US")
'''

TEST_EU = '''

def test_total_eu_card_adds_vat():
    assert total([{"sku": "mug", "qty": 1}], "DE") == 14.28
    assert total([{"sku": "mug", "qty": 1}], "be") == 14.52
'''

SMOKE = '''\
"""The bug's own check: exit 0 when checkout works for an EU card.

Production's address: the first argument, else $HOTFIX_BASE_URL (set by `hotfix verify`).
"""

import json
import os
import sys
import urllib.error
import urllib.request

base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HOTFIX_BASE_URL",
                                                            "http://127.0.0.1:8000")
body = json.dumps({"items": [{"sku": "mug", "qty": 1}], "card_country": "DE"}).encode()
request = urllib.request.Request(base + "/checkout", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except urllib.error.HTTPError:
    sys.exit(1)
'''

CHECKOUT_JS = """\
// Re-labels the VAT line of the checkout form for EU cards.
document.querySelectorAll(".vat").forEach((el) => { el.textContent = "VAT (EU)"; });
"""


# Keep a Changelog: the releases, and on main what the next regular release will have
CHANGELOG_V1_0 = """# Changelog

All notable changes to the shop.

## [1.0.0] - 2026-01-05

### Added

- Catalog, checkout and the web server
"""
CHANGELOG_V1_1 = CHANGELOG_V1_0.replace("## [1.0.0]", """## [1.1.0] - 2026-02-02

### Added

- VAT for EU cards

## [1.0.0]""")
