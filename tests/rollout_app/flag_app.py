"""An app behind a flag, for the flag rollout tests: real HTTP, real Prometheus text.

Each scrape of ``/metrics`` first serves a batch of simulated requests: a user drawn from a
skewed population (a few heavy users), the flag evaluated for them with the function
``evaluator()`` returns for the batch (what the app's OFREP calls would return), the
request failing with the variant's chance.
The counters are the ones docs/flags.md asks an app to export:

    http_requests_total{variant,status}    flag_users_total{flag,variant}
    flag_failed_users_total{flag,variant}  flag_slow_users_total{flag,variant}
    (each user counted once, where it happened)

A request is slower than the app's threshold with the variant's chance in ``slow`` (0 if
not named); the slow users' series of a variant is exported at 0 from its first user on,
as docs/flags.md asks; ``export_slow=False`` exports none (no latency data).
``labelled=False`` exports the request counter without a variant label only. An evaluator
whose function returns (variant, reason) makes every series carry the OFREP ``reason`` too
(as an app exports a flag with targeting rules), and ``fail`` may then name
``"variant:REASON"`` (a rule's users failing apart from the split's).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import numpy as np


class FlagApp:
    def __init__(self, flag: str,
                 evaluator: Callable[[], Callable[[str], str | tuple[str, str]]],
                 fail: Mapping[str, float],
                 *, slow: Mapping[str, float] | None = None, users: int = 400,
                 per_scrape: int = 300, labelled: bool = True, export_slow: bool = True,
                 seed: int = 0) -> None:
        self.flag, self.evaluator, self.fail = flag, evaluator, dict(fail)
        self.slow = dict(slow or {})
        self.per_scrape, self.labelled, self.export_slow = per_scrape, labelled, export_slow
        self.rng = np.random.default_rng(seed)
        weights = self.rng.lognormal(0.0, 1.2, users)
        self.traffic = weights / weights.sum()
        self.requests: Counter[tuple[str, str]] = Counter()  # (labels, status)
        self.users: Counter[str] = Counter()                 # by labels
        self.failed_users: Counter[str] = Counter()
        self.slow_users: Counter[str] = Counter()
        self.seen: set[int] = set()
        self.failed: set[int] = set()
        self.slowed: set[int] = set()
        self.lock = threading.Lock()

    def serve_batch(self) -> None:
        variant_of = self.evaluator()
        for user in self.rng.choice(self.traffic.size, self.per_scrape, p=self.traffic):
            served = variant_of(f"user-{user}")
            variant, reason = served if isinstance(served, tuple) else (served, None)
            chance = self.fail.get(f"{variant}:{reason}", self.fail.get(variant, 0.0))
            bad = bool(self.rng.random() < chance)
            slow = variant in self.slow and bool(self.rng.random() < self.slow[variant])
            labels = f'variant="{variant}"' + (f',reason="{reason}"' if reason else "")
            self.requests[(labels, "500" if bad else "200")] += 1
            if user not in self.seen:
                self.seen.add(user)
                self.users[labels] += 1
                self.slow_users[labels] += 0  # exported at 0 until a user is slow
            if bad and user not in self.failed:
                self.failed.add(user)
                self.failed_users[labels] += 1
            if slow and user not in self.slowed:
                self.slowed.add(user)
                self.slow_users[labels] += 1

    def exposition(self) -> str:
        with self.lock:
            self.serve_batch()
            lines = ["# TYPE http_requests_total counter"]
            if not self.labelled:
                total = Counter[str]()
                for (_, status), n in self.requests.items():
                    total[status] += n
                lines += [f'http_requests_total{{status="{s}"}} {n}' for s, n in total.items()]
                return "\n".join(lines) + "\n"
            lines += [f'http_requests_total{{{v},status="{s}"}} {n}'
                      for (v, s), n in sorted(self.requests.items())]
            series = [("flag_users_total", self.users),
                      ("flag_failed_users_total", self.failed_users)]
            if self.export_slow:
                series.append(("flag_slow_users_total", self.slow_users))
            for name, counts in series:
                lines.append(f"# TYPE {name} counter")
                lines += [f'{name}{{flag="{self.flag}",{v}}} {n}'
                          for v, n in sorted(counts.items())]
            return "\n".join(lines) + "\n"


def serving(app: FlagApp) -> AbstractContextManager[str]:
    """``app`` on a loopback port until the block ends; yields host:port."""
    return exposing(app.exposition)


@contextmanager
def exposing(text: Callable[[], str]) -> Iterator[str]:
    """``text()`` served at /metrics on a loopback port until the block ends; host:port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = text().encode() if self.path == "/metrics" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
