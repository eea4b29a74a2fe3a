"""Local stand-ins for Datadog's metrics query API and New Relic's NerdGraph, on loopback.

The response shapes are copied from the vendors' public API documentation:
- Datadog, GET /api/v1/query ("Query timeseries points"):
  https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points
- New Relic, POST /graphql with nrql { results }:
  https://docs.newrelic.com/docs/apis/nerdgraph/examples/nerdgraph-nrql-tutorial/
  (facets: https://docs.newrelic.com/docs/nrql/nrql-syntax-clauses-functions/#sel-facet)

Datadog publishes an OpenAPI description of its API, but npm packages none: its TypeScript
client (``@datadog/datadog-api-client``, generated from it) ships only the generated code.
New Relic's NerdGraph is GraphQL, described by its schema, not OpenAPI. So both are kept as
fixtures from the documentation above.

``Faults`` steers the next answers: how many 429s (with Retry-After) or 5xx come first.

For a deploy, ``Traffic`` is what the monitoring system would have recorded of live traffic:
a steady rate split between the two versions as the router really split it (``RouterSplit``
follows the builtin router's admin endpoint, so each version's counts change when the deploy
moves the canary's weight, as the judge's sample-ratio check expects), each version with its
own error rate and the same latency distribution. ``traffic_points`` (Datadog),
``traffic_rows`` (New Relic) and ``exporter_app`` (an app's /metrics for a real Prometheus
to scrape) give it in each system's terms.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

DD_API_KEY, DD_APP_KEY, NR_KEY = "dd-api-secret-1", "dd-app-secret-2", "NRAK-secret-3"


@dataclass
class Faults:
    throttle: int = 0
    fail: int = 0
    queries: list[str] = field(default_factory=list)


def _fault(f: Faults) -> Response | None:
    if f.throttle > 0:
        f.throttle -= 1
        return JSONResponse({"errors": ["Rate limit exceeded"]}, status_code=429,
                            headers={"Retry-After": "2"})
    if f.fail > 0:
        f.fail -= 1
        return JSONResponse({"errors": ["Internal Server Error"]}, status_code=503)
    return None


Points = Callable[[str, str, int, int], "list[list[float]] | None"]


def fixed(points: dict[tuple[str, str], list[list[float]]]) -> Points:
    """The same pointlist for ``(metric, version)`` whatever the window."""
    return lambda metric, version, start, end: points.get((metric, version))


def per_second(rates: dict[tuple[str, str], float]) -> Points:
    """A point a second at ``rates[(metric, version)]``: live traffic, for a deploy."""
    def points(metric: str, version: str, start: int, end: int) -> list[list[float]] | None:
        rate = rates.get((metric, version))
        return None if rate is None else [[t * 1000.0, rate] for t in range(start, end)]
    return points


def datadog_app(points: Points, f: Faults) -> FastAPI:
    """``points(metric, version, from, to)``: the pointlist ([ms, value], …) of that series."""
    app = FastAPI()

    @app.get("/api/v1/query")
    async def query(request: Request) -> Response:
        q = request.query_params
        if request.headers.get("dd-api-key") != DD_API_KEY or \
                request.headers.get("dd-application-key") != DD_APP_KEY:
            return JSONResponse({"errors": ["Forbidden"]}, status_code=403)
        f.queries.append(q["query"])
        fault = _fault(f)
        if fault is not None:
            return fault
        found = re.match(r"sum:([\w.]+)\{version:([^,}]+)", q["query"])
        if found is None:
            return JSONResponse({"status": "error", "error": "Error parsing query"},
                                status_code=400)
        pointlist = points(found[1], found[2], int(q["from"]), int(q["to"]))
        series = [] if pointlist is None else [{
            "aggr": "sum", "display_name": found[1], "end": int(q["to"]) * 1000 - 1,
            "expression": q["query"], "interval": 15, "length": len(pointlist),
            "metric": found[1], "pointlist": pointlist, "query_index": 0,
            "scope": f"version:{found[2]}", "start": int(q["from"]) * 1000, "tag_set": [],
            "unit": None}]
        return JSONResponse({
            "status": "ok", "res_type": "time_series", "resp_version": 1,
            "query": q["query"], "from_date": int(q["from"]) * 1000,
            "to_date": int(q["to"]) * 1000, "series": series, "values": [], "times": [],
            "message": "", "group_by": []})

    return app


Rows = Callable[[float, float], "list[dict[str, Any]]"]


def newrelic_app(rows: list[dict[str, Any]] | Rows, f: Faults) -> FastAPI:
    """``rows``: the NRQL results, one per facet (or a function of the query's SINCE and
    UNTIL, in seconds); a query naming ``BROKEN`` is an error."""
    app = FastAPI()

    @app.post("/graphql")
    async def graphql(request: Request) -> Response:
        if request.headers.get("api-key") != NR_KEY:
            return JSONResponse({"errors": [{"message": "Invalid API key"}]}, status_code=401)
        body = await request.json()
        nrql = body["variables"]["nrql"]
        f.queries.append(nrql)
        fault = _fault(f)
        if fault is not None:
            return fault
        if "BROKEN" in nrql:
            return JSONResponse({"data": {"actor": {"account": {"nrql": None}}}, "errors": [{
                "message": "NRQL Syntax Error: Error at line 1 position 8",
                "path": ["actor", "account", "nrql"]}]})
        since = re.search(r"SINCE (\d+) UNTIL (\d+)", nrql)
        results = rows if isinstance(rows, list) else [] if since is None else \
            rows(int(since[1]) / 1000, int(since[2]) / 1000)
        return JSONResponse({"data": {"actor": {"account": {"nrql": {"results": results}}}}})

    return app


class RouterSplit:
    """The canary's weight as the builtin router gives it (``GET /state`` on its admin
    address), sampled every ``every`` seconds in a thread while the block runs."""

    def __init__(self, admin: str, canary: str, every: float = 0.02) -> None:
        self.admin, self.canary, self.every = admin, canary, every
        self.times, self.shares = [0.0], [0.0]  # from each time on, the canary's share
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> RouterSplit:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(10)

    def weights(self) -> list[float]:
        """Each weight (%) the canary had, in order, up to the router's state now: the
        follower samples every ``every`` seconds, so a weight set just before this call
        (the last step's, as ``deploy`` returns) is read here rather than missed."""
        with httpx.Client(timeout=5.0, trust_env=False) as client:
            self._sample(client)
        with self._lock:
            return [round(100 * s, 6) for s in self.shares]

    def canary_seconds(self, start: float, end: float) -> float:
        """∫ share dt over [start, end): the seconds' worth of traffic the canary had."""
        with self._lock:
            times, shares = list(self.times), list(self.shares)
        total, i = 0.0, max(bisect.bisect_right(times, start) - 1, 0)
        while i < len(times) and times[i] < end:
            upto = times[i + 1] if i + 1 < len(times) else end
            total += shares[i] * max(0.0, min(upto, end) - max(times[i], start))
            i += 1
        return total

    def _follow(self) -> None:
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while not self._stop.wait(self.every):
                self._sample(client)

    def _sample(self, client: httpx.Client) -> None:
        try:
            weights = client.get(f"http://{self.admin}/state").json()["split"]["weights"]
        except (httpx.HTTPError, ValueError, KeyError):
            return  # not started yet, or restarting
        total = sum(float(w) for w in weights.values()) or 1.0
        share = float(weights.get(self.canary, 0.0)) / total
        with self._lock:
            if share != self.shares[-1]:
                self.times.append(time.time())
                self.shares.append(share)


@dataclass
class Traffic:
    """``rate`` requests a second in all, split as ``split`` says; ``errors[version]`` of
    a version's requests fail; latency in the same proportions per bucket for both."""

    split: RouterSplit
    canary: str
    baseline: str
    errors: dict[str, float]
    rate: float = 200.0

    def requests(self, version: str, start: float, end: float) -> float:
        canary = self.split.canary_seconds(start, end)
        seconds = canary if version == self.canary else (end - start) - canary \
            if version == self.baseline else 0.0
        return self.rate * seconds

    def failed(self, version: str, start: float, end: float) -> float:
        return self.requests(version, start, end) * self.errors.get(version, 0.0)


def traffic_points(traffic: Traffic, hits: str, errors: str) -> Points:
    """Datadog: a rollup point a second, each the count of that second."""
    def points(metric: str, version: str, start: int, end: int) -> list[list[float]] | None:
        if version not in (traffic.canary, traffic.baseline) or metric not in (hits, errors):
            return None
        count = traffic.requests if metric == hits else traffic.failed
        return [[t * 1000.0, count(version, t, t + 1)] for t in range(start, end)]
    return points


NR_SHAPE = (0.3, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.0, 0.0, 0.0)  # 10 buckets, ceiling 1 s


def traffic_rows(traffic: Traffic, shape: Sequence[float] = NR_SHAPE) -> Rows:
    """New Relic: one facet row per version that had requests in the window."""
    def rows(start: float, end: float) -> list[dict[str, Any]]:
        out = []
        for version in (traffic.canary, traffic.baseline):
            n = traffic.requests(version, start, end)
            if n > 0:
                out.append({"facet": version, "tags.version": version, "requests": round(n),
                            "errors": round(traffic.failed(version, start, end)),
                            "histogram.duration": [round(n * p) for p in shape]})
        return out
    return rows


BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)  # the sample shop's buckets
PROM_SHAPE = (0.0, 0.05, 0.25, 0.4, 0.2, 0.07, 0.02, 0.01, 0.0)  # …, +Inf


def exporter_app(traffic: Traffic, since: float) -> FastAPI:
    """An app's /metrics as Prometheus scrapes it: the counters since ``since``, per version
    (``version`` and ``code`` labels) and the duration histogram."""
    app = FastAPI()

    @app.get("/metrics")
    def metrics() -> Response:
        now = time.time()
        lines = ["# TYPE http_requests_total counter"]
        buckets = ["# TYPE http_request_duration_seconds histogram"]
        for v in (traffic.canary, traffic.baseline):
            n, bad = traffic.requests(v, since, now), traffic.failed(v, since, now)
            lines += [f'http_requests_total{{version="{v}",code="200"}} {n - bad:.6f}',
                      f'http_requests_total{{version="{v}",code="500"}} {bad:.6f}']
            running = 0.0
            for bound, share in zip((*BOUNDS, "+Inf"), PROM_SHAPE, strict=True):
                running += share * n
                buckets.append(f'http_request_duration_seconds_bucket{{version="{v}",'
                               f'le="{bound}"}} {running:.6f}')
            buckets.append(f'http_request_duration_seconds_count{{version="{v}"}} {n:.6f}')
        return PlainTextResponse("\n".join(lines + buckets) + "\n",
                                 media_type="text/plain; version=0.0.4")

    return app
