"""``hotfix deploy`` judged from the team's monitoring, one test per source: Datadog and New
Relic at the HTTP boundary (stand-ins), Prometheus for real (Debian's binary, scraping an
app's /metrics, read over its HTTP query API). Each source reports live traffic split as the
router really split it (``monitoring_standins.Traffic``): a clean fix is promoted through
every step of the plan, a clear regression rolled back, the judge's evidence on the record."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hotfix.demo.prometheus import binary, local_prometheus
from hotfix.wiring import open_context
from tests.adapters.ci.standins import serve
from tests.adapters.metrics.monitoring_standins import (
    DD_API_KEY,
    DD_APP_KEY,
    NR_KEY,
    Faults,
    RouterSplit,
    Traffic,
    datadog_app,
    exporter_app,
    newrelic_app,
    traffic_points,
    traffic_rows,
)
from tests.cli.conftest import Invoke
from tests.cli.test_rollout_commands import write_toml
from tests.services.rollout.rollout_setup import (
    BOSS,
    FAST_PLAN,
    cleanup,
    kinds,
    released,
    settings,
)

pytestmark = pytest.mark.slow
CANARY, BASELINE = "v1.0.1", "v1.0.0"
HITS, ERRORS = "trace.http.request.hits", "trace.http.request.errors"
OUTCOMES = {"clean": ("promoted", 0.01), "regression": ("rolled back", 0.3)}  # canary errors


@contextmanager
def datadog(traffic: Traffic, tmp_path: Path) -> Iterator[dict[str, Any]]:
    faults = Faults()
    with serve(datadog_app(traffic_points(traffic, HITS, ERRORS), faults)) as url:
        # Datadog's hits and errors carry no latency: judge the errors alone
        yield {"rollout.metrics": "datadog", "rollout.datadog.url": url,
               "rollout.monitor.step_seconds": 1.0, "rollout.monitor.lag_seconds": 0.2,
               "judge.weights": {"errors": 1.0, "latency": 0.0, "tail": 0.0}}
    assert any(f"version:{CANARY}" in q for q in faults.queries)


@contextmanager
def newrelic(traffic: Traffic, tmp_path: Path) -> Iterator[dict[str, Any]]:
    faults = Faults()
    with serve(newrelic_app(traffic_rows(traffic), faults)) as url:
        yield {"rollout.metrics": "newrelic", "rollout.newrelic.url": url,
               "rollout.newrelic.account": 1234567, "rollout.newrelic.ceiling_seconds": 1.0,
               "rollout.newrelic.buckets": 10,
               "rollout.monitor.step_seconds": 1.0, "rollout.monitor.lag_seconds": 0.2}
    assert any(f"IN ('{CANARY}', '{BASELINE}')" in q for q in faults.queries)


@contextmanager
def prometheus(traffic: Traffic, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with serve(exporter_app(traffic, time.time())) as url, \
            local_prometheus(tmp_path / "prometheus", job="app", scrape_seconds=0.2) as prom:
        prom.register(url.removeprefix("http://"), {})
        yield {**prom.settings(status_label="code"), "rollout.monitor.lag_seconds": 0.6}


SOURCES = {"datadog": datadog, "newrelic": newrelic, "prometheus-api": prometheus}
NO_PROMETHEUS = pytest.mark.skipif(
    binary() is None,
    reason="prometheus is not installed (apt-get install prometheus); CI installs it")


@pytest.mark.parametrize("case", ["clean", "regression"])
@pytest.mark.parametrize("source", [
    "datadog", "newrelic", pytest.param("prometheus-api", marks=NO_PROMETHEUS)])
def test_deploy_judged_from_monitoring(tmp_path: Path, hotfix: Invoke,
                                       monkeypatch: pytest.MonkeyPatch,
                                       source: str, case: str) -> None:
    outcome, canary_errors = OUTCOMES[case]
    monkeypatch.setenv("DD_API_KEY", DD_API_KEY)
    monkeypatch.setenv("DD_APP_KEY", DD_APP_KEY)
    monkeypatch.setenv("NEW_RELIC_API_KEY", NR_KEY)
    ctx, key = released(tmp_path, {})
    ctx.close()
    conf = settings()
    split = RouterSplit(conf["rollout.admin"], CANARY)
    traffic = Traffic(split, CANARY, BASELINE, {BASELINE: 0.01, CANARY: canary_errors})
    with split, SOURCES[source](traffic, tmp_path) as extra:
        write_toml(ctx.root, {**conf, **extra})
        ctx = open_context(ctx.root, {})
        with cleanup(ctx):
            from hotfix.services.rollout import production
            production.up(ctx, BASELINE)
            done = hotfix("deploy", key, "--as", BOSS, cwd=ctx.root)
            assert f"{key} {outcome}" in done.out, done.out + done.err
            rec = ctx.records.get(key)
            judged = [e.payload for e in rec.events if e.kind in ("promote", "rollback")][-1]
            # the judge counted both versions from the monitoring system, not the router
            assert judged["requests"]["canary"] > 0
            assert judged["requests"]["baseline"] > judged["requests"]["canary"]
            if outcome == "promoted":
                assert done.code == 0
                assert rec.state.value == "deployed"
                # the stand-in followed every step's weight, then all of the traffic
                assert split.weights() == [0.0, *(s["weight"] for s in FAST_PLAN)]
                assert judged["errors"]["canary"] < 0.05 * judged["requests"]["canary"]
            else:
                assert done.code == 1
                assert kinds(ctx, key)[-1] == "rollback"
                assert judged["errors"]["canary"] > 0.2 * judged["requests"]["canary"]
