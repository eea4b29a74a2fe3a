"""Metrics sources: the router's request log, and Prometheus scrapes of real instances."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from hotfix.adapters.metrics.prometheus import PrometheusMetrics, PromNames
from hotfix.adapters.metrics.router_log import RouterLogMetrics, parse_builtin
from tests.rollout_app.support import Started, make_app_repo


def line(t: float, version: str, status: int, ms: float) -> str:
    return json.dumps({"t": t, "version": version, "status": status, "ms": ms}) + "\n"


def test_router_log_reads_whole_lines_only_and_replays_from_a_cursor(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    log.write_text(line(1, "old", 200, 1))  # before the rollout: not counted
    source = RouterLogMetrics(log, "v2", "v1", parse_builtin)
    start = source.cursor()
    with log.open("a") as f:
        f.write(line(2, "v1", 200, 3.0) + line(3, "v2", 503, 9.0) + "not json\n"
                + line(4, "v3", 200, 1) + '{"t": 5, "vers')
    obs = source.poll()
    assert obs.t.tolist() == [2, 3]
    assert obs.canary.tolist() == [False, True]
    assert obs.ok.tolist() == [True, False]
    assert obs.latency_ms.tolist() == [3.0, 9.0]
    assert source.malformed == 1
    with log.open("a") as f:
        f.write('ion": "v1", "status": 200, "ms": 2}\n')
    assert source.poll().t.tolist() == [5]
    assert len(source.poll()) == 0
    replay = RouterLogMetrics(log, "v2", "v1", parse_builtin, start["offset"])
    assert replay.poll().t.tolist() == [2, 3, 5]


def test_prometheus_turns_counter_and_histogram_deltas_into_intervals(
        tmp_path: Path, started: Started) -> None:
    repo = make_app_repo(tmp_path / "repo", {"v1": {"error_rate": 0.0},
                                             "v2": {"error_rate": 1.0, "latency_ms": 30}})
    target = started.local(repo)
    v1, v2 = target.start("v1", 1), target.start("v2", 1)
    fleets = {"v1": [i.address for i in v1], "v2": [i.address for i in v2]}
    names = PromNames("app_requests_total", "app_request_duration_seconds", "code")
    with httpx.Client(trust_env=False) as client:
        client.get(f"http://{v1[0].address}/warm-up")
        source = PrometheusMetrics(lambda: fleets, "v2", "v1", names)
        start = source.cursor()
        for _ in range(7):
            client.get(f"http://{v1[0].address}/a")
        for _ in range(3):
            client.get(f"http://{v2[0].address}/a")
    obs = source.poll()
    [interval] = obs.intervals
    assert (obs.baseline_count, obs.canary_count) == (7, 3)
    assert interval.errors == (3, 0)
    assert interval.start == start["t"]
    assert interval.latency is not None
    assert sum(interval.latency.canary) == 3
    assert sum(interval.latency.baseline) == 7
    # a log-normal sleep around 30 ms (σ 0.3) is slower than 10 ms all but once in 10⁴
    slow_from = interval.latency.bounds_ms.index(10.0) + 1
    assert sum(interval.latency.canary[slow_from:]) == 3
    assert len(source.poll()) == 0
    replay = PrometheusMetrics(lambda: fleets, "v2", "v1", names, snapshot=start["snapshot"],
                               since=start["t"])
    assert len(replay.poll()) == 10
    target.stop(v2)
    assert len(source.poll()) == 0  # a silent instance is no data, never a pass
