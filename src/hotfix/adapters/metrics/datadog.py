"""Metrics from Datadog: request and error counts per version through the metrics query API.

    GET /api/v1/query?from=<s>&to=<s>&query=sum:<metric>{<tag>:<version>,<scope>}.as_count()
        .rollup(sum, <step>)

(https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points), with the
``DD-API-KEY`` and ``DD-APPLICATION-KEY`` headers. The windows are aligned to the rollup
step, so each window is the sum of the points whose timestamps fall in it. Datadog returns
counts as floats (sampling can make them fractional): they are rounded. A version whose
query matches no series is no data. Latency is not read from Datadog: its distributions
answer percentiles, not bucket counts, so a rollout judged from Datadog judges errors (set
``judge.weights = { errors = 1, latency = 0, tail = 0 }``, or it never promotes).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotfix.adapters.ci.http import Api
from hotfix.domain.judge.intervals import Interval
from hotfix.errors import MetricsQueryError


@dataclass(frozen=True)
class DatadogNames:
    requests: str = "trace.http.request.hits"
    errors: str = "trace.http.request.errors"
    version_tag: str = "version"
    scope: str = ""  # more tags, e.g. service:shop,env:prod


class DatadogQuery:
    """Reads one window of the canary and the baseline (``window.Read``)."""

    def __init__(self, api: Api, canary: str, baseline: str, step: float,
                 names: DatadogNames | None = None) -> None:
        self.api, self.versions, self.step = api, (canary, baseline), max(1, round(step))
        self.names = names or DatadogNames()

    def __call__(self, start: float, end: float) -> Interval:
        n = self.names
        req = [self._count(n.requests, v, start, end) for v in self.versions]
        err = [self._count(n.errors, v, start, end) for v in self.versions]
        return Interval(start, end, (req[0], req[1]), (err[0], err[1]))

    def _count(self, metric: str, version: str, start: float, end: float) -> int:
        scope = ",".join([f"{self.names.version_tag}:{version}", *filter(None, [self.names.scope])])
        query = f"sum:{metric}{{{scope}}}.as_count().rollup(sum, {self.step})"
        body = self.api.json("GET", "/api/v1/query",
                             params={"from": int(start), "to": int(end), "query": query})
        if not isinstance(body, dict) or body.get("status") not in ("ok", None) or \
                body.get("error"):
            raise MetricsQueryError(f"Datadog refused {query!r}: {body.get('error')!r}"
                                    if isinstance(body, dict) else "Datadog answered no object",
                                    hint="check rollout.datadog.* (docs/integrations.md)")
        total = 0.0
        for series in body.get("series", []):
            for ts, value in series.get("pointlist", []):
                if value is not None and start * 1000 <= ts < end * 1000:
                    total += float(value)
        return round(total)
