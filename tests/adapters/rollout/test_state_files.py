"""The rollout's state files: atomic JSON a new controller reads back whole."""

from __future__ import annotations

import json
from pathlib import Path

from hotfix.adapters.rollout.state_files import StateFiles
from hotfix.domain.rollout.plan import Position
from hotfix.domain.rollout.state import DeployState, Fleet, Instance, Status


def state(key: str = "HF-1") -> DeployState:
    baseline = Fleet("v1", [Instance("v1", "127.0.0.1:1", "v1.log", {"pid": 7, "start_ticks": 9})])
    canary = Fleet("v2", [Instance("v2", "127.0.0.1:2")])
    return DeployState(key, baseline, canary, Status.GATED, (42, 43), {"offset": 10},
                       Position(1, 5.0, 3, 4, 7, frozenset({2})), 1.5, "why",
                       {"decision": "continue"}, [(1.0, 5.0), (2.0, 25.0)])


def test_a_rollout_and_production_read_back_as_written(tmp_path: Path) -> None:
    files = StateFiles(tmp_path / "rollout")
    assert files.load("HF-1") is None
    assert files.load_env() is None
    files.save(state())
    files.save(state("HF-2"))
    files.save_env(state().canary)
    assert files.load("HF-1") == state()
    assert files.load_env() == state().canary
    assert files.rollout_keys() == ["HF-1", "HF-2"]
    assert json.loads((tmp_path / "rollout" / "deploys" / "HF-1.json").read_text())[
        "status"] == "gated"
    files.save_env(None)
    assert files.load_env() is None
    assert [p.name for p in (tmp_path / "rollout").rglob(".*.tmp")] == []


def test_a_state_file_written_before_instance_handles_is_still_read(tmp_path: Path) -> None:
    old = state().to_dict()
    old["baseline"]["instances"] = [{"version": "v1", "address": "127.0.0.1:1", "pid": 7,
                                     "start_ticks": 9, "log": "v1.log"}]
    path = tmp_path / "deploys" / "HF-1.json"
    path.parent.mkdir()
    path.write_text(json.dumps(old))
    loaded = StateFiles(tmp_path).load("HF-1")
    assert loaded is not None
    assert loaded.baseline.instances == state().baseline.instances


def test_a_rollback_and_the_record_of_deployments_read_back(tmp_path: Path) -> None:
    from hotfix.domain.rollout.history import Deployment, Phase, Rollback

    files = StateFiles(tmp_path / "rollout")
    assert (files.load_rollback("HF-1"), files.deployments(), files.rollback_keys()) == (
        None, [], [])
    back = Rollback("HF-1", state().canary, state().baseline, controller=(5, 6), started_at=2.0)
    back.enter(Phase.SWITCHED)
    back.switch_seconds = 0.25
    files.save_rollback(back)
    assert files.load_rollback("HF-1") == back
    assert files.rollback_keys() == ["HF-1"]
    first, second = Deployment("v1", 1.0, "ci", "pipeline"), Deployment("v2", 2.0, "a", "promote",
                                                                          "HF-3")
    files.add_deployment(first)
    with (tmp_path / "rollout" / "deployments.jsonl").open("a") as out:
        out.write('{"version": "v9", "at"')  # a write cut short by a crash
        out.write("\n")
    files.add_deployment(second)
    assert files.deployments() == [first, second]
