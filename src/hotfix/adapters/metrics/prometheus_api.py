"""Metrics from the team's Prometheus, over its HTTP query API (PromQL).

Counters are read as raw values by instant queries (``GET /api/v1/query?query=…&time=t``)
at each window's two ends, and each series' delta is taken here: ``increase()`` would
extrapolate to the window's edges and give non-integers, which the count tests cannot use.
A series whose value went down restarted and counts from zero; one that appears during the
window counts all it has. Per version (the ``version_label`` label, matched exactly):

    requests   sum of the request counter's deltas
    errors     the part of them whose ``status_label`` starts with 5
    latency    the ``<latency>_bucket`` deltas summed per ``le`` (the bounds both versions
               report), turned into requests per bucket

A version with no series is no data; a series without the version label is not matched.
The value at a window's end is kept for the next window's start, so windows tile exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hotfix.adapters.ci.http import Api
from hotfix.adapters.metrics.promtext import escape
from hotfix.domain.judge.intervals import Histogram, Interval
from hotfix.errors import MetricsQueryError

Labels = frozenset[tuple[str, str]]
Vector = dict[Labels, float]


@dataclass(frozen=True)
class PromQueryNames:
    requests: str = "http_requests_total"
    latency: str = "http_request_duration_seconds"
    status_label: str = "code"
    version_label: str = "version"
    selector: str = ""  # extra matchers, e.g. job="shop"


class PrometheusQuery:
    """Reads one window of the canary and the baseline (``window.Read``)."""

    def __init__(self, api: Api, canary: str, baseline: str,
                 names: PromQueryNames | None = None) -> None:
        self.api, self.versions = api, (canary, baseline)
        self.names = names or PromQueryNames()
        self._kept: dict[float, tuple[Vector, Vector]] = {}

    def __call__(self, start: float, end: float) -> Interval:
        (req0, bkt0), (req1, bkt1) = self._at(start), self._at(end)
        self._kept = {end: (req1, bkt1)}
        requests, buckets = _delta(req0, req1), _delta(bkt0, bkt1)
        v = self.names.version_label
        counts = [_sum(requests, v, version) for version in self.versions]
        errors = [_sum(requests, v, version, self._is_error) for version in self.versions]
        return Interval(start, end, (counts[0], counts[1]), (errors[0], errors[1]),
                        self._histogram(buckets))

    def _at(self, t: float) -> tuple[Vector, Vector]:
        if t not in self._kept:
            n = self.names
            self._kept[t] = (self._query(n.requests, t), self._query(f"{n.latency}_bucket", t))
        return self._kept[t]

    def _query(self, metric: str, t: float) -> Vector:
        promql = " or ".join(f"{metric}{{{self._matchers(v)}}}" for v in self.versions)
        body = self.api.json("GET", "/api/v1/query", params={"query": promql, "time": f"{t:.3f}"})
        if not isinstance(body, dict) or body.get("status") != "success":
            raise MetricsQueryError(f"Prometheus did not answer {promql!r}: "
                                    f"{str(body)[:200]}", hint="check rollout.prometheus.url")
        data = body.get("data", {})
        if data.get("resultType") != "vector":
            raise MetricsQueryError(f"Prometheus answered {promql!r} with a "
                                    f"{data.get('resultType')}, not a vector",
                                    hint="rollout.prometheus.requests and .latency must name "
                                         "a counter and a histogram")
        return {_labels(r["metric"]): float(r["value"][1]) for r in data.get("result", [])}

    def _matchers(self, version: str) -> str:
        parts = [f'{self.names.version_label}="{escape(version)}"']
        return ",".join(parts + ([self.names.selector] if self.names.selector else []))

    def _is_error(self, labels: Labels) -> bool:
        return dict(labels).get(self.names.status_label, "").startswith("5")

    def _histogram(self, buckets: Vector) -> Histogram | None:
        per = [_cumulative(buckets, self.names.version_label, v) for v in self.versions]
        bounds = sorted(set(per[0]) & set(per[1]) - {math.inf})
        if not all(p for p in per) or math.inf not in per[0] or math.inf not in per[1] or \
                not bounds:
            return None
        canary, baseline = (_per_bucket([p[b] for b in [*bounds, math.inf]]) for p in per)
        return Histogram(tuple(1000.0 * b for b in bounds), canary, baseline)


def _labels(metric: dict[str, Any]) -> Labels:
    return frozenset((str(k), str(v)) for k, v in metric.items() if k != "__name__")


def _delta(before: Vector, after: Vector) -> Vector:
    """Per series: the growth between two reads (a reset counts from zero)."""
    return {k: v - before[k] if k in before and v >= before[k] else v for k, v in after.items()}


def _sum(vector: Vector, label: str, version: str, keep: Any = None) -> int:
    total = sum(v for k, v in vector.items() if (label, version) in k and (keep is None or keep(k)))
    return round(total)


def _cumulative(buckets: Vector, label: str, version: str) -> dict[float, float]:
    out: dict[float, float] = {}
    for k, v in buckets.items():
        d = dict(k)
        if d.get(label) == version and "le" in d:
            bound = math.inf if d["le"] in ("+Inf", "Inf") else float(d["le"])
            out[bound] = out.get(bound, 0.0) + v
    return out


def _per_bucket(cumulative: Iterable[float]) -> tuple[float, ...]:
    out, prev = [], 0.0
    for c in cumulative:
        out.append(max(round(c - prev), 0))
        prev = max(prev, c)
    return tuple(float(x) for x in out)
