"""The sample shop's pages, their banner and stock level read from the content endpoint
(stdlib only; no deploy changes them).

    python -m hotfix.demo.content_shop --port 8091 --content http://127.0.0.1:8000

``GET /`` and ``GET /products/{id}`` fetch ``/content/v1/zones/shipping`` and
``/content/v1/zones/stock`` on every request, conditionally (``If-None-Match`` with the
ETag last seen: a ``304`` reuses the body kept), and render the shipping-deadline banner
and the stock level; a zone with nothing published, or not declared yet, shows the page's
built-in default.
"""

from __future__ import annotations

import argparse
import html
import json
import threading
import urllib.error
import urllib.request
from datetime import date
from http.server import ThreadingHTTPServer
from typing import Any

from hotfix.demo.quiet_handler import QuietHandler

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


class Zones:
    """The content endpoint's zones, each kept with its ETag."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.lock = threading.Lock()
        self.kept: dict[str, tuple[str, dict[str, Any]]] = {}

    def values(self, zone: str) -> dict[str, Any]:
        with self.lock:
            etag, body = self.kept.get(zone, ("", {}))
        request = urllib.request.Request(f"{self.base}/content/v1/zones/{zone}",
                                         headers={"If-None-Match": etag} if etag else {})
        try:
            with NO_PROXY.open(request, timeout=5) as answer:
                body = json.load(answer)
                etag = answer.headers.get("ETag", "")
        except urllib.error.HTTPError as exc:
            if exc.code != 304:  # no such zone (yet): the page's built-in default
                return {}
        with self.lock:
            self.kept[zone] = (etag, body)
        return dict(body.get("values") or {})


def banner(values: dict[str, Any]) -> str:
    if "deadline" not in values:
        return "Order soon for delivery before the holidays"
    day = date.fromisoformat(str(values["deadline"])[:10])
    message = html.escape(str(values.get("message") or "Order by"))
    return f"{message} {day:%b} {day.day} for delivery before Christmas"


def stock(values: dict[str, Any]) -> str:
    units = values.get("units")
    return "In stock" if units is None else f"{int(units)} left in stock"


def page(zones: Zones, path: str) -> str:
    lines = [f'<p class="banner">{banner(zones.values("shipping"))}</p>']
    if path.startswith("/products/"):
        lines += [f"<h1>Product {html.escape(path.rsplit('/', 1)[-1])}</h1>",
                  f'<p class="stock">{stock(zones.values("stock"))}</p>']
    else:
        lines.append('<h1>Sample shop</h1><a href="/products/mug">Mug</a>')
    return "<!doctype html><title>Sample shop</title>\n" + "\n".join(lines) + "\n"


def handler(zones: Zones) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                self.send_text(200, "ok")
            elif self.path == "/" or self.path.startswith("/products/"):
                self.send_text(200, page(zones, self.path), "text/html; charset=utf-8")
            else:
                self.send_text(404, "not found")

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--content", required=True, help="the team server's URL")
    args = parser.parse_args(argv)
    ThreadingHTTPServer(("127.0.0.1", args.port), handler(Zones(args.content))).serve_forever()


if __name__ == "__main__":
    main()
