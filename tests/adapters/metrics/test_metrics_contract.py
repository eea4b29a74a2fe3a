"""The metrics-source contract: router-log sources (builtin and nginx logs) and the fake.

Each driver writes requests where its source reads them; every source must see each
request once, only its two versions, only since it was opened, and again from a cursor.
The Prometheus source is tested against real instances in test_metrics_sources.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.metrics.fake import FakeTraffic
from hotfix.adapters.metrics.router_log import from_log
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.ports import MetricsSource, RequestLogFile

ADDRESS = {"v1": "127.0.0.1:1", "v2": "127.0.0.1:2", "v3": "127.0.0.1:3"}


class Driver(Protocol):
    def send(self, t: float, version: str, status: int, ms: float) -> None: ...

    def open(self, cursor: Mapping[str, Any] | None = None) -> MetricsSource: ...


class BuiltinLog:
    def __init__(self, tmp_path: Path) -> None:
        self.log = RequestLogFile(tmp_path / "requests.jsonl", "builtin")

    def send(self, t: float, version: str, status: int, ms: float) -> None:
        with self.log.path.open("a") as f:
            f.write(json.dumps({"t": t, "version": version, "status": status, "ms": ms}) + "\n")

    def open(self, cursor: Mapping[str, Any] | None = None) -> MetricsSource:
        return from_log(self.log, "v2", "v1", int(cursor["offset"]) if cursor else None)


class NginxLog(BuiltinLog):
    def __init__(self, tmp_path: Path) -> None:
        addresses = tmp_path / "addresses.json"
        addresses.write_text(json.dumps({a: v for v, a in ADDRESS.items()}))
        self.log = RequestLogFile(tmp_path / "access.jsonl", "nginx", addresses)

    def send(self, t: float, version: str, status: int, ms: float) -> None:
        line = {"msec": f"{t + 0.5:.3f}", "request_time": "0.500", "upstream": ADDRESS[version],
                "upstream_status": str(status), "upstream_time": f"{ms / 1000:.3f}"}
        with self.log.path.open("a") as f:
            f.write(json.dumps(line) + "\n")


class Fake:
    def __init__(self) -> None:
        self.traffic = FakeTraffic(ManualClock(), FakeRouter(), rate=0.0)

    def send(self, t: float, version: str, status: int, ms: float) -> None:
        self.traffic.log.add(t, version, status, ms)

    def open(self, cursor: Mapping[str, Any] | None = None) -> MetricsSource:
        return self.traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=cursor)


@pytest.fixture(params=["builtin-log", "nginx-log", "fake"])
def driver(request: pytest.FixtureRequest, tmp_path: Path) -> Driver:
    kinds: dict[str, Any] = {"builtin-log": BuiltinLog, "nginx-log": NginxLog}
    return kinds[request.param](tmp_path) if request.param in kinds else Fake()


def rows(source: MetricsSource) -> list[tuple[float, bool, bool, float]]:
    obs = source.poll()
    return [(round(float(t), 3), bool(c), bool(o), round(float(ms), 3))
            for t, c, o, ms in zip(obs.t, obs.canary, obs.ok, obs.latency_ms, strict=True)]


def test_requests_before_the_source_opened_are_not_its_own(driver: Driver) -> None:
    driver.send(1.0, "v1", 200, 5.0)
    source = driver.open()
    driver.send(2.0, "v1", 200, 3.0)
    driver.send(3.0, "v2", 503, 9.0)
    assert rows(source) == [(2.0, False, True, 3.0), (3.0, True, False, 9.0)]


def test_each_request_is_seen_once(driver: Driver) -> None:
    source = driver.open()
    driver.send(2.0, "v2", 200, 4.0)
    assert len(rows(source)) == 1
    assert rows(source) == []
    driver.send(3.0, "v1", 200, 6.0)
    assert rows(source) == [(3.0, False, True, 6.0)]


def test_a_cursor_replays_everything_after_it(driver: Driver) -> None:
    source = driver.open()
    cursor = json.loads(json.dumps(source.cursor()))  # it is kept in the state file
    driver.send(2.0, "v1", 200, 3.0)
    rows(source)
    driver.send(3.0, "v2", 200, 7.0)
    rows(source)
    replay = driver.open(cursor)
    assert rows(replay) == [(2.0, False, True, 3.0), (3.0, True, True, 7.0)]
    assert rows(replay) == []


def test_only_the_two_versions_count_and_only_5xx_is_a_failure(driver: Driver) -> None:
    source = driver.open()
    driver.send(2.0, "v3", 500, 1.0)  # a third version (an old instance still draining)
    driver.send(3.0, "v2", 404, 2.0)
    driver.send(4.0, "v1", 500, 8.0)
    assert rows(source) == [(3.0, True, True, 2.0), (4.0, False, False, 8.0)]
