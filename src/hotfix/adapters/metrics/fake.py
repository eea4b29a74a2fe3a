"""Fake traffic and the metrics source that reads it, on a clock: for tests only.

Never selectable from a user's configuration: tests build them and hand ``traffic.watch``
to ``hotfix.wiring.open_context`` (``RolloutParts(metrics=…)``).

``FakeTraffic`` sends ``rate`` requests per second of its clock. Each goes to a version
drawn by the router's live weights (none while the router is down or has no split), fails
with that version's ``Profile.error_rate`` and takes a log-normal latency around its
``latency_ms``: the test says how much traffic there is and how each version behaves, and
may change either at any time. Nothing runs in the background: the requests of the time
that passed are made when a source polls (or ``flow`` is called). ``FakeRequests.add``
records one request by hand.

``FakeMetrics`` reads the traffic's log as the router-log source reads a router's: from
its end when it is opened, each request once, and again from a cursor (an index). It passes
the metrics sources' contract tests (``tests/adapters/metrics/test_metrics_contract.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hotfix.adapters.metrics.router_log import Row, observations
from hotfix.ports import Addresses, Clock, Observations, Router


@dataclass(frozen=True)
class Profile:
    """How one version answers: its share of failures and its typical latency."""

    error_rate: float = 0.0
    latency_ms: float = 50.0
    sigma: float = 0.3  # spread of log-latency


@dataclass
class FakeRequests:
    """Every request of the fake traffic, in time order: (start time, version, status, ms)."""

    rows: list[Row] = field(default_factory=list)

    def add(self, t: float, version: str, status: int, ms: float) -> None:
        self.rows.append((t, version, status, ms))


class FakeMetrics:
    def __init__(self, log: FakeRequests, canary: str, baseline: str,
                 offset: int | None = None, before: Callable[[], None] = lambda: None) -> None:
        self.log, self.canary, self.baseline, self.before = log, canary, baseline, before
        if offset is None:
            before()  # what happened until now is not this source's
        self.offset = len(log.rows) if offset is None else offset

    def cursor(self) -> dict[str, Any]:
        return {"offset": self.offset}

    def poll(self) -> Observations:
        self.before()
        rows = self.log.rows[self.offset:]
        self.offset += len(rows)
        return observations([r for r in rows if r[1] in (self.canary, self.baseline)],
                            self.canary)


class FakeTraffic:
    def __init__(self, clock: Clock, router: Router, profiles: Mapping[str, Profile] | None = None,
                 rate: float = 100.0, seed: int = 0) -> None:
        self.clock, self.router, self.rate = clock, router, rate
        self.profiles: dict[str, Profile] = dict(profiles or {})
        self.log = FakeRequests()
        self.rng = np.random.default_rng(seed)
        self.since = clock.time()
        self._carry = 0.0

    def watch(self, *, canary: str, baseline: str, instances: Addresses,
              cursor: Mapping[str, Any] | None) -> FakeMetrics:
        """A metrics source on this traffic (a ``MetricsFactory``)."""
        offset = int(cursor["offset"]) if cursor else None
        return FakeMetrics(self.log, canary, baseline, offset, before=self.flow)

    def flow(self) -> None:
        """Make the requests of the time passed since the last flow."""
        began, now = self.since, self.clock.time()
        self.since = now
        due = self.rate * max(0.0, now - began) + self._carry
        count = int(due)
        self._carry = due - count
        weights = _live_weights(self.router)
        if count and weights:
            times = began + (now - began) * np.arange(1, count + 1) / count
            self._send(times, weights)

    def _send(self, times: np.ndarray[Any, np.dtype[np.float64]],
              weights: Mapping[str, float]) -> None:
        names = list(weights)
        shares = np.array([weights[v] for v in names]) / sum(weights.values())
        picks = self.rng.choice(len(names), size=times.size, p=shares)
        draws, noise = self.rng.random(times.size), self.rng.standard_normal(times.size)
        for t, pick, draw, z in zip(times, picks, draws, noise, strict=True):
            profile = self.profiles.get(names[pick], Profile())
            status = 500 if draw < profile.error_rate else 200
            self.log.add(float(t), names[pick], status,
                         float(profile.latency_ms * np.exp(profile.sigma * z)))


def _live_weights(router: Router) -> dict[str, float]:
    split = router.current()
    if split is None:
        return {}
    return {v: w for v, w in split.weights.items() if w > 0 and split.backends.get(v)}
