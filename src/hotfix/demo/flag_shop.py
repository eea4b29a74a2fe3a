"""The sample shop's checkout behind two flags read over OFREP with plain HTTP (stdlib only).

    python -m hotfix.demo.flag_shop --port 8090 --ofrep http://127.0.0.1:8000 --key hfk_… \
        [--slow-ms 250]

``GET /checkout?user=U`` evaluates every flag for U in one bulk OFREP call, then:

- ``fixed-checkout`` on: the fixed code path (EU cards get VAT); off: the old one, which
  answers 500 for EU cards (every third user pays with one);
- ``rate-service`` on: a new rate service that fails one checkout in 30; off: none fail;
- ``pricing-v2`` on: prices recomputed on every checkout, 300 ms more each; off: cached.

``GET /metrics`` exports what docs/flags.md asks of an app: per flag, requests by variant and
status, users first served, users' first failures and users' first checkout slower than
``--slow-ms`` (the whole checkout, the OFREP call included) by variant, each user once per
counter; a variant's slow users' series is there, at 0, from its first user on.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.request
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from hotfix.demo.quiet_handler import QuietHandler

FLAGS = ("fixed-checkout", "rate-service", "pricing-v2")
RECOMPUTE_SECONDS = 0.3  # pricing-v2's cost per checkout
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only


class Shop:
    def __init__(self, ofrep: str, key: str, slow_ms: float = 250.0) -> None:
        self.ofrep, self.key, self.slow_ms = ofrep.rstrip("/"), key, slow_ms
        self.lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.users: Counter[tuple[str, str]] = Counter()
        self.failed: Counter[tuple[str, str]] = Counter()
        self.slow: Counter[tuple[str, str]] = Counter()
        self.seen: set[tuple[str, str]] = set()
        self.hurt: set[tuple[str, str]] = set()
        self.slowed: set[tuple[str, str]] = set()
        self.rng = random.Random(0)

    def variants(self, user: str) -> dict[str, str]:
        body = json.dumps({"context": {"targetingKey": user}}).encode()
        request = urllib.request.Request(
            f"{self.ofrep}/ofrep/v1/evaluate/flags", body, method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        with NO_PROXY.open(request, timeout=10) as answer:
            flags = json.load(answer)["flags"]
        return {f["key"]: str(f.get("variant", "off")) for f in flags if f["key"] in FLAGS}

    def checkout(self, user: str) -> int:
        began = time.perf_counter()
        served = self.variants(user)
        eu = int(user.rsplit("-", 1)[-1]) % 3 == 0
        fixed = served.get("fixed-checkout", "off") == "on"
        status = 500 if eu and not fixed else 200
        if served.get("pricing-v2", "off") == "on":
            time.sleep(RECOMPUTE_SECONDS)
        with self.lock:
            if served.get("rate-service", "off") == "on" and self.rng.random() < 1 / 30:
                status = 500
            slow = (time.perf_counter() - began) * 1000 > self.slow_ms
            for flag, variant in served.items():
                self._count(flag, variant, user, status, slow)
        return status

    def _count(self, flag: str, variant: str, user: str, status: int, slow: bool) -> None:
        self.requests[(flag, variant, status)] += 1
        if (flag, user) not in self.seen:
            self.seen.add((flag, user))
            self.users[(flag, variant)] += 1
            self.slow[(flag, variant)] += 0  # exported at 0 until a user is slow
        if status >= 500 and (flag, user) not in self.hurt:
            self.hurt.add((flag, user))
            self.failed[(flag, variant)] += 1
        if slow and (flag, user) not in self.slowed:
            self.slowed.add((flag, user))
            self.slow[(flag, variant)] += 1

    def metrics(self) -> str:
        with self.lock:
            lines = ["# TYPE http_requests_total counter"]
            lines += [f'http_requests_total{{flag="{f}",variant="{v}",status="{s}"}} {n}'
                      for (f, v, s), n in sorted(self.requests.items())]
            for name, counts in (("flag_users_total", self.users),
                                 ("flag_failed_users_total", self.failed),
                                 ("flag_slow_users_total", self.slow)):
                lines.append(f"# TYPE {name} counter")
                lines += [f'{name}{{flag="{f}",variant="{v}"}} {n}'
                          for (f, v), n in sorted(counts.items())]
        return "\n".join(lines) + "\n"


TEXT = "text/plain; version=0.0.4"  # every answer: /metrics is Prometheus's text format


def handler(shop: Shop) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path == "/health":
                self.send_text(200, "ok", TEXT)
            elif url.path == "/metrics":
                self.send_text(200, shop.metrics(), TEXT)
            elif url.path == "/checkout":
                user = parse_qs(url.query).get("user", ["user-0"])[0]
                status = shop.checkout(user)
                self.send_text(status, "paid" if status == 200 else "checkout failed", TEXT)
            else:
                self.send_text(404, "not found", TEXT)

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ofrep", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--slow-ms", type=float, default=250.0,
                        help="a checkout slower than this makes its user slow (once)")
    args = parser.parse_args(argv)
    shop = Shop(args.ofrep, args.key, args.slow_ms)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(shop))
    server.serve_forever()


if __name__ == "__main__":
    main()
