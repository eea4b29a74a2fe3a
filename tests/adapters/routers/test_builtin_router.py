"""The builtin router: a real proxy process in front of real app processes."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from hotfix.adapters.deploy.local import process_of
from hotfix.adapters.metrics.router_log import from_log
from hotfix.adapters.rollout.loadgen import run_load
from hotfix.adapters.routers.builtin import BuiltinRouter
from hotfix.domain.judge.engine import Judge
from hotfix.ports import Instance, Split
from tests.rollout_app.support import GOOD, Started, get_many, make_app_repo


@pytest.fixture
def fleet(tmp_path: Path, started: Started) -> tuple[Started, list[Instance], list[Instance]]:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD, "v2": GOOD})
    target = started.local(repo)
    return started, target.start("v1", 2), target.start("v2", 1)


def split(v1: list[Instance], v2: list[Instance], w2: float) -> Split:
    return Split({"v1": tuple(i.address for i in v1), "v2": tuple(i.address for i in v2)},
                 {"v1": 100 - w2, "v2": w2})


def log_rows(router: BuiltinRouter) -> list[dict[str, object]]:
    time.sleep(0.3)  # the proxy flushes its log every 100 ms
    return [json.loads(line) for line in router.log_path.read_text().splitlines()]


def versions(responses: list[httpx.Response]) -> Counter[str]:
    return Counter(r.json()["version"] for r in responses)


def test_splits_by_weight_and_logs_every_request(tmp_path: Path, fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router")
    router.ensure()
    router.apply(split(v1, v2, 0))
    assert versions(get_many(router.url + "/a", 20)) == {"v1": 20}
    router.apply(split(v1, v2, 50))
    seen = versions(get_many(router.url + "/a", 200))
    assert seen["v1"] > 50
    assert seen["v2"] > 50
    rows = log_rows(router)
    assert len(rows) == 220
    assert Counter(r["version"] for r in rows) == {"v1": 20 + seen["v1"], "v2": seen["v2"]}
    assert all(r["status"] == 200 and float(r["ms"]) > 0 for r in rows)  # type: ignore[arg-type]
    assert router.current() == split(v1, v2, 50)
    seen_by_metrics = from_log(router.request_log(), "v2", "v1", offset=0).poll()
    assert (seen_by_metrics.canary_count, len(seen_by_metrics)) == (seen["v2"], 220)


def test_a_weight_change_applies_to_the_next_request_on_a_kept_alive_connection(
        tmp_path: Path, fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router")
    router.ensure()
    router.apply(split(v1, v2, 100))
    with httpx.Client(trust_env=False) as client:
        assert client.get(router.url + "/a").json()["version"] == "v2"
        router.apply(split(v1, v2, 0))
        assert [client.get(router.url + "/a").json()["version"] for _ in range(5)] == ["v1"] * 5


def test_sticky_keys_stay_put_and_only_move_onto_the_canary(tmp_path: Path,
                                                             fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router", sticky_header="X-User")
    router.ensure()
    router.apply(split(v1, v2, 25))
    users = [f"user-{n}" for n in range(60)]
    with httpx.Client(trust_env=False) as client:
        def where(user: str) -> str:
            return str(client.get(router.url + "/a", headers={"X-User": user}).json()["version"])
        first = {u: where(u) for u in users}
        assert {u: where(u) for u in users} == first
        assert set(first.values()) == {"v1", "v2"}
        router.apply(split(v1, v2, 75))
        later = {u: where(u) for u in users}
    assert all(later[u] == "v2" for u in users if first[u] == "v2")


def test_an_instance_that_dies_counts_as_errors_for_its_version(tmp_path: Path,
                                                                fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router")
    router.ensure()
    router.apply(split(v1, v2, 50))
    os.kill(process_of(v2[0])[0], signal.SIGKILL)
    statuses = Counter((r.status_code) for r in get_many(router.url + "/a", 60))
    assert statuses[502] > 0
    assert statuses[200] > 0
    rows = log_rows(router)
    assert {r["status"] for r in rows if r["version"] == "v2"} == {502}
    assert {r["status"] for r in rows if r["version"] == "v1"} == {200}


def test_posts_with_bodies_are_relayed(tmp_path: Path, fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router")
    router.ensure()
    router.apply(split(v1, v2, 0))
    resp = httpx.post(router.url + "/checkout", json={"card_country": "DE"}, trust_env=False)
    assert resp.status_code == 200
    assert resp.json()["path"] == "/checkout"


def test_a_restarted_router_resumes_its_split_and_no_split_means_503(
        tmp_path: Path, fleet: tuple) -> None:
    box, v1, v2 = fleet
    router = box.builtin(tmp_path / "router")
    router.ensure()
    assert httpx.get(router.url + "/a", trust_env=False).status_code == 503
    router.apply(split(v1, v2, 25))
    router.stop()
    assert router.current() is None
    router.ensure()
    assert router.current() == split(v1, v2, 25)


def test_a_hung_instance_fails_fast_as_504_and_the_judge_rolls_it_back(
        tmp_path: Path, started: Started) -> None:
    """v2 answers /health but hangs on every request (for an hour): with a 0.5 s upstream
    timeout its requests come back as 504 (well before the hour, however loaded the machine),
    count as v2's errors, and the judge rolls it back within 300 requests — 3 s at 100/s."""
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD, "v2": {**GOOD, "hang": True}})
    target = started.local(repo)
    v1, v2 = target.start("v1", 1), target.start("v2", 1)
    router = started.builtin(tmp_path / "router", upstream_timeout=0.5)
    router.ensure()
    router.apply(split(v1, v2, 50))
    report = run_load(router.url, rate=100, seconds=4, max_requests=400, seed=3)
    rows = log_rows(router)
    hung = [r for r in rows if r["version"] == "v2"]
    assert len(hung) > 50
    assert {r["status"] for r in hung} == {504}
    assert max(float(r["ms"]) for r in hung) < 5_000  # type: ignore[arg-type]
    assert report.statuses[504] == len(hung)
    assert report.statuses[200] == len(rows) - len(hung)
    obs = from_log(router.request_log(), "v2", "v1", offset=0).poll()
    verdict = Judge().update(obs.canary, obs.ok, obs.latency_ms, 0.5)
    assert verdict.decision == "rollback"
    assert verdict.decided_at is not None
    assert verdict.decided_at < 300
    assert "error rate" in verdict.reason
