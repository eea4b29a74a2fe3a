"""A traffic generator for demos and tests: paced requests to a loopback address.

Bounded twice: it stops after ``seconds`` or ``max_requests``, whichever comes first, and it
refuses any address that is not on this machine's loopback.

    report = run_load("http://127.0.0.1:8080", rate=100, seconds=10, max_requests=2000,
                      mix=[Req("GET", "/products", weight=3),
                           Req("POST", "/checkout", {"card_country": "DE"})])

``LoadProcess`` runs the same generator in a child interpreter, so that the caller's own work
(a rollout loop, a judge) does not hold it below the asked rate: ``stop()`` ends it early and
returns its report.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from hotfix.errors import UsageError


@dataclass(frozen=True)
class Req:
    method: str = "GET"
    path: str = "/"
    json: Any = None
    weight: float = 1.0


@dataclass
class LoadReport:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # no HTTP answer at all
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "statuses": {str(k): v for k, v in self.statuses.items()},
                "failures": dict(self.failures), "seconds": round(self.seconds, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LoadReport:
        return cls(int(d["sent"]), Counter({int(k): int(v) for k, v in d["statuses"].items()}),
                   Counter({str(k): int(v) for k, v in d["failures"].items()}),
                   float(d["seconds"]))


def ensure_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        addresses = set()
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                for a in addresses):
        raise UsageError(f"the load generator only sends to loopback addresses, not {url}",
                         hint="point it at 127.0.0.1 (the router's rollout.listen)")


def run_load(url: str, *, rate: float, seconds: float, max_requests: int,
             mix: Sequence[Req] = (Req(),), users: int = 0, user_header: str = "X-User",
             stop: threading.Event | None = None, seed: int | None = None,
             ready_path: str | None = None) -> LoadReport:
    """Send about ``rate`` requests per second (open loop) until a bound is reached.

    With ``ready_path``, first wait (within ``seconds``) until GET ``ready_path`` answers 200.
    """
    ensure_loopback(url)
    if rate <= 0 or seconds <= 0 or max_requests <= 0:
        raise UsageError("rate, seconds and max_requests must all be positive")
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds
    if ready_path is not None and not _wait_ready(url + ready_path, deadline, stop):
        return LoadReport()
    return asyncio.run(_generate(url, rate, deadline - time.monotonic(), max_requests, list(mix),
                                 users, user_header, stop, random.Random(seed)))


class LoadProcess:
    """``run_load`` in a child interpreter (``python -m hotfix.adapters.rollout.loadgen``)."""

    def __init__(self, url: str, *, rate: float, seconds: float, max_requests: int,
                 mix: Sequence[Req] = (Req(),), users: int = 0, seed: int | None = None,
                 ready_path: str | None = None) -> None:
        ensure_loopback(url)
        spec = {"url": url, "rate": rate, "seconds": seconds, "max_requests": max_requests,
                "mix": [vars(r) for r in mix], "users": users, "seed": seed,
                "ready_path": ready_path}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hotfix.adapters.rollout.loadgen", json.dumps(spec)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self, grace: float = 15.0) -> LoadReport:
        """Stop sending (answers still in flight are awaited, up to ``grace``); the report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(grace)

    def wait(self, timeout: float | None = None) -> LoadReport:
        """Wait for the child to end by itself (a bound reached); its report."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        if self.proc.returncode != 0 or not out.strip():
            raise UsageError(f"the load generator failed (exit {self.proc.returncode}): "
                             f"{err.strip()[-500:]}")
        return LoadReport.from_dict(json.loads(out))


def _wait_ready(url: str, deadline: float, stop: threading.Event) -> bool:
    while time.monotonic() < deadline and not stop.is_set():
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1.0, trust_env=False).status_code == 200:
                return True
        time.sleep(0.1)
    return False


def _main() -> None:
    spec = json.loads(sys.argv[1])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    mix = [Req(**r) for r in spec.pop("mix")]
    report = run_load(spec.pop("url"), mix=mix, stop=stop, **spec)
    sys.stdout.write(json.dumps(report.to_dict()))


async def _generate(url: str, rate: float, seconds: float, max_requests: int, mix: list[Req],
                    users: int, user_header: str, stop: threading.Event,
                    rng: random.Random) -> LoadReport:
    report, pending = LoadReport(), set()
    weights = [r.weight for r in mix]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=10.0, limits=limits,
                                 trust_env=False) as client:
        for n in range(max_requests):
            due = began + n / rate
            if due - began >= seconds or stop.is_set():
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            req = rng.choices(mix, weights)[0]
            headers = {user_header: f"user-{rng.randrange(users)}"} if users else {}
            task = asyncio.create_task(_one(client, req, headers, report))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(pending)
    report.seconds = time.monotonic() - began
    return report


async def _one(client: httpx.AsyncClient, req: Req, headers: dict[str, str],
               report: LoadReport) -> None:
    report.sent += 1
    try:
        resp = await client.request(req.method, req.path, json=req.json, headers=headers)
    except httpx.HTTPError as exc:
        report.failures[type(exc).__name__] += 1
    else:
        report.statuses[resp.status_code] += 1


if __name__ == "__main__":
    _main()
