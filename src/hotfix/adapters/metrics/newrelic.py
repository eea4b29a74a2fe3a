"""Metrics from New Relic: NRQL through NerdGraph (GraphQL), one facet per version.

    POST /graphql   {actor {account(id: N) {nrql(query: "…") {results}}}}   header API-Key

(https://docs.newrelic.com/docs/apis/nerdgraph/examples/nerdgraph-nrql-tutorial/). Per
window, one query:

    SELECT count(*) AS 'requests', filter(count(*), WHERE error IS true) AS 'errors',
           histogram(duration, <ceiling>, <buckets>) FROM Transaction
    WHERE <facet> IN ('canary', 'baseline') [AND <where>] FACET <facet>
    SINCE <start ms> UNTIL <end ms>

The histogram's buckets are ``ceiling / buckets`` seconds wide from 0; requests it does not
place (slower than the ceiling) are the open top bucket. A version with no facet row is no
data. NerdGraph reports query errors with status 200 and an ``errors`` list: they fail here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.adapters.ci.http import Api
from hotfix.domain.judge.intervals import Histogram, Interval
from hotfix.errors import MetricsQueryError

GRAPHQL = ("query($account: Int!, $nrql: Nrql!) "
           "{ actor { account(id: $account) { nrql(query: $nrql) { results } } } }")


@dataclass(frozen=True)
class NrqlNames:
    account: int
    event: str = "Transaction"
    facet: str = "tags.version"
    where: str = ""  # e.g. appName = 'shop'
    ceiling: float = 2.0  # seconds
    buckets: int = 40


class NewRelicQuery:
    """Reads one window of the canary and the baseline (``window.Read``)."""

    def __init__(self, api: Api, canary: str, baseline: str, names: NrqlNames) -> None:
        self.api, self.versions, self.names = api, (canary, baseline), names

    def __call__(self, start: float, end: float) -> Interval:
        rows = {str(_facet(r)): r for r in self._results(self.nrql(start, end))}
        per = [rows.get(v, {}) for v in self.versions]
        req = [int(r.get("requests") or 0) for r in per]
        err = [int(r.get("errors") or 0) for r in per]
        return Interval(start, end, (req[0], req[1]), (err[0], err[1]), self._histogram(per, req))

    def nrql(self, start: float, end: float) -> str:
        n = self.names
        versions = ", ".join(_quote(v) for v in self.versions)
        where = f"{n.facet} IN ({versions})" + (f" AND ({n.where})" if n.where else "")
        return (f"SELECT count(*) AS 'requests', filter(count(*), WHERE error IS true) AS "
                f"'errors', histogram(duration, {n.ceiling:g}, {n.buckets}) FROM {n.event} "
                f"WHERE {where} FACET {n.facet} SINCE {int(start * 1000)} "
                f"UNTIL {int(end * 1000)}")

    def _results(self, nrql: str) -> list[dict[str, Any]]:
        body = self.api.json("POST", "/graphql", json={
            "query": GRAPHQL, "variables": {"account": self.names.account, "nrql": nrql}})
        if not isinstance(body, dict) or body.get("errors"):
            errors = body.get("errors") if isinstance(body, dict) else body
            raise MetricsQueryError(f"New Relic refused the query: {str(errors)[:300]}",
                                    hint="check rollout.newrelic.* (docs/integrations.md)")
        try:
            results = body["data"]["actor"]["account"]["nrql"]["results"]
        except (KeyError, TypeError):
            raise MetricsQueryError("New Relic answered without NRQL results",
                                    hint="check rollout.newrelic.account") from None
        return [r for r in results if isinstance(r, dict)]

    def _histogram(self, rows: list[dict[str, Any]], requests: list[int]) -> Histogram | None:
        n = self.names
        width = n.ceiling / n.buckets
        counts = [_buckets(r, n.buckets, width) for r in rows]
        if any(c is None for c in counts):
            return None
        c, b = ([*x, max(total - sum(x), 0.0)] for x, total in
                zip([c for c in counts if c is not None], requests, strict=True))
        bounds = tuple(1000.0 * width * (i + 1) for i in range(n.buckets))
        return Histogram(bounds, tuple(c), tuple(b))


def _facet(row: Mapping[str, Any]) -> Any:
    facet = row.get("facet")
    return facet[0] if isinstance(facet, list) and facet else facet


def _buckets(row: Mapping[str, Any], size: int, width: float) -> list[float] | None:
    """The row's histogram as ``size`` counts: NRQL gives a list, or an object keyed by each
    bucket's lower edge."""
    value = next((v for k, v in row.items() if k.startswith("histogram")), None)
    if isinstance(value, list) and len(value) == size:
        return [float(x or 0) for x in value]
    if isinstance(value, dict):
        out = [0.0] * size
        for edge, count in value.items():
            out[min(round(float(edge) / width), size - 1)] += float(count or 0)
        return out
    return None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
