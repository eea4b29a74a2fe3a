"""Metrics scraped from each instance's ``/metrics`` (Prometheus text format).

Per instance, a request counter labelled by status code and a latency histogram (seconds)
are read; what changed since the previous scrape, summed over each version's instances,
becomes one ``Interval`` for the judge (``hotfix.domain.judge.intervals``): the requests
counted, the part of them on 5xx codes, and the histogram's requests per bucket. A counter
that went down (the process restarted) counts from zero. An instance that does not answer
adds nothing: missing data is no evidence. The cursor is the snapshot of every counter and
when it was taken; a source built with it replays everything since, as one interval.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from hotfix.adapters.metrics.promtext import ExpositionError, parse
from hotfix.domain.judge.intervals import Histogram, Interval
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
                 snapshot: Mapping[str, Snapshot] | None = None, since: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.instances, self.canary, self.baseline = instances, canary, baseline
        self.names, self.path, self.clock = names or PromNames(), path, clock
        self.last: dict[str, Snapshot] = {a: dict(s) for a, s in (snapshot or {}).items()}
        if since is None:  # an old cursor without its time: the interval's start is unknown
            since = 0.0 if snapshot is not None else clock()
        self.since = since
        if snapshot is None:
            self.poll()  # start counting from now

    def cursor(self) -> dict[str, Any]:
        return {"snapshot": {address: dict(snap) for address, snap in self.last.items()},
                "t": self.since}

    def poll(self) -> Observations:
        sums: dict[str, Snapshot] = {self.canary: {}, self.baseline: {}}
        for version, addresses in self.instances().items():
            if version not in sums:
                continue
            for address in addresses:
                now = self._scrape(address)
                if now is not None:
                    delta = counter_delta(self.last.get(address, {}), now)
                    self.last[address] = now
                    for key, value in delta.items():
                        sums[version][key] = sums[version].get(key, 0.0) + value
        start, self.since = self.since, self.clock()
        c, b = sums[self.canary], sums[self.baseline]
        if not any(c.values()) and not any(b.values()):
            return Observations()
        return Observations(intervals=(Interval(
            start, self.since, (round(c.get("total", 0)), round(b.get("total", 0))),
            (round(c.get("errors", 0)), round(b.get("errors", 0))), _histogram(c, b)),))

    def _scrape(self, address: str) -> Snapshot | None:
        try:
            resp = httpx.get(f"http://{address}{self.path}", timeout=2.0, trust_env=False,
                             verify=False)  # plain http: no CA bundle to load
            samples = parse(resp.text) if resp.status_code == 200 else None
        except (httpx.HTTPError, ExpositionError):
            return None
        if samples is None:
            return None
        snap: Snapshot = {"errors": 0.0, "total": 0.0}
        for s in samples:
            if s.name == self.names.requests:
                code = s.label(self.names.status_label) or ""
                snap["total"] += s.value
                if code.startswith("5"):
                    snap["errors"] += s.value
            elif s.name == f"{self.names.latency}_bucket":
                snap[f"le={s.label('le')}"] = s.value
        return snap


def counter_delta(before: Snapshot, now: Snapshot) -> Snapshot:
    restarted = any(now.get(k, 0.0) < v for k, v in before.items())
    return now if restarted else {k: v - before.get(k, 0.0) for k, v in now.items()}


def _histogram(canary: Snapshot, baseline: Snapshot) -> Histogram | None:
    """Requests per bucket from cumulative ``le=`` deltas, on the bounds both versions have."""
    per = [{_bound(k[3:]): v for k, v in snap.items() if k.startswith("le=")}
           for snap in (canary, baseline)]
    bounds = sorted(set(per[0]) & set(per[1]) - {math.inf})
    if not bounds or any(math.inf not in p for p in per):
        return None
    counts = []
    for p in per:
        cumulative = [p[b] for b in [*bounds, math.inf]]
        counts.append(tuple(float(max(round(x - y), 0)) for x, y in
                            zip(cumulative, [0.0, *cumulative[:-1]], strict=True)))
    return Histogram(tuple(1000.0 * b for b in bounds), counts[0], counts[1])


def _bound(text: str) -> float:
    return math.inf if text in ("+Inf", "Inf") else float(text)
