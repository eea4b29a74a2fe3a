"""Local stand-ins for Datadog's metrics query API and New Relic's NerdGraph, on loopback.

The response shapes are copied from the vendors' public API documentation:
- Datadog, GET /api/v1/query ("Query timeseries points"):
  https://docs.datadoghq.com/api/latest/metrics/#query-timeseries-points
- New Relic, POST /graphql with nrql { results }:
  https://docs.newrelic.com/docs/apis/nerdgraph/examples/nerdgraph-nrql-tutorial/
  (facets: https://docs.newrelic.com/docs/nrql/nrql-syntax-clauses-functions/#sel-facet)

``Faults`` steers the next answers: how many 429s (with Retry-After) or 5xx come first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

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


def newrelic_app(rows: list[dict[str, Any]], f: Faults) -> FastAPI:
    """``rows``: the NRQL results, one per facet; a query naming ``BROKEN`` is an error."""
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
        return JSONResponse({"data": {"actor": {"account": {"nrql": {"results": rows}}}}})

    return app
