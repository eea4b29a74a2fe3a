"""Metrics scraped from each instance's ``/metrics`` (Prometheus text format).

Per instance, a request counter labelled by status code and a latency histogram (seconds)
are read; what changed since the previous scrape becomes rows for the judge: one row per
request counted by the histogram, timed at the scrape, its latency the middle of its
bucket, and as many of them marked bad as the counter grew on 5xx codes. A counter that
went down (the process restarted) counts from zero. An instance that does not answer gives
no rows: missing data is no evidence. The cursor is the snapshot of every counter; a source
built with the snapshot taken when a rollout began replays everything since.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from hotfix.adapters.metrics.promtext import ExpositionError, parse
from hotfix.ports import Observations

Snapshot = dict[str, float]  # "errors" / "total" / "le=<bound>" -> cumulative value


@dataclass
class PromNames:
    requests: str = "http_requests_total"
    latency: str = "http_request_duration_seconds"
    status_label: str = "code"


class PrometheusMetrics:
    def __init__(self, instances: Callable[[], Mapping[str, Sequence[str]]], canary: str,
                 baseline: str, names: PromNames | None = None, path: str = "/metrics",
                 snapshot: Mapping[str, Snapshot] | None = None, seed: int = 0) -> None:
        self.instances, self.canary, self.baseline = instances, canary, baseline
        self.names, self.path = names or PromNames(), path
        self.rng = np.random.default_rng(seed)
        self.last: dict[str, Snapshot] = {a: dict(s) for a, s in (snapshot or {}).items()}
        if snapshot is None:
            self.poll()  # start counting from now

    def cursor(self) -> dict[str, Any]:
        return {"snapshot": {address: dict(snap) for address, snap in self.last.items()}}

    def poll(self) -> Observations:
        parts = []
        for version, addresses in self.instances().items():
            if version not in (self.canary, self.baseline):
                continue
            for address in addresses:
                now = self._scrape(address)
                if now is not None:
                    before = self.last.get(address, {})
                    self.last[address] = now
                    parts.append(self._rows(version == self.canary, _delta(before, now)))
        return self._merge(parts)

    def _scrape(self, address: str) -> Snapshot | None:
        try:
            resp = httpx.get(f"http://{address}{self.path}", timeout=2.0, trust_env=False,
                             verify=False)  # plain http: no CA bundle to load
            samples = parse(resp.text) if resp.status_code == 200 else None
        except (httpx.HTTPError, ExpositionError):
            return None
        if samples is None:
            return None
        snap: Snapshot = {"errors": 0.0}
        for s in samples:
            if s.name == self.names.requests:
                code = s.label(self.names.status_label) or ""
                if code.startswith("5"):
                    snap["errors"] += s.value
            elif s.name == f"{self.names.latency}_bucket":
                snap[f"le={s.label('le')}"] = s.value
        return snap

    def _rows(self, canary: bool, delta: Snapshot) -> Observations:
        latencies = _bucket_rows(delta)
        n = len(latencies)
        ok = np.ones(n, dtype=bool)
        ok[self.rng.permutation(n)[: min(n, int(delta.get("errors", 0)))]] = False
        return Observations(np.full(n, time.time()), np.full(n, canary), ok, latencies)

    def _merge(self, parts: list[Observations]) -> Observations:
        if not parts:
            return Observations()
        order = self.rng.permutation(sum(len(p) for p in parts))  # interleave the versions
        cat = [np.concatenate([getattr(p, f) for p in parts])[order]
               for f in ("t", "canary", "ok", "latency_ms")]
        return Observations(*cat)


def _delta(before: Snapshot, now: Snapshot) -> Snapshot:
    restarted = any(now.get(k, 0.0) < v for k, v in before.items())
    return now if restarted else {k: v - before.get(k, 0.0) for k, v in now.items()}


def _bucket_rows(delta: Snapshot) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Latencies (ms), one per request counted in the cumulative bucket deltas."""
    bounds = sorted((_bound(k[3:]), v) for k, v in delta.items() if k.startswith("le="))
    rows: list[float] = []
    prev_bound, prev_count = 0.0, 0.0
    for bound, count in bounds:
        n = round(count - prev_count)
        upper = bound if math.isfinite(bound) else max(prev_bound * 2, 1e-3)
        rows += [1000.0 * (prev_bound + upper) / 2] * max(n, 0)
        prev_bound, prev_count = upper, count
    return np.array(rows, dtype=float)


def _bound(text: str) -> float:
    return math.inf if text in ("+Inf", "Inf") else float(text)
