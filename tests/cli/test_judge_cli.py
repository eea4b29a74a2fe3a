"""``hotfix judge`` end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, RecordsAt
from tests.services.rollout.test_judge_files import HEADER, write_log

pytestmark = pytest.mark.both_modes


def test_one_json_line_per_file(hotfix: Invoke, tmp_path: Path) -> None:
    bad = write_log(tmp_path / "bad.csv", 1, 30_000, canary_errors=0.04)
    short = write_log(tmp_path / "short.csv", 2, 300)
    assert hotfix("judge", str(short), "--json").code == 0  # inconclusive is no regression
    result = hotfix("judge", str(bad), str(short), "--json")
    assert result.code == 1, result.err  # a regression: exit 1, as a CI gate
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["file"] for line in lines] == [str(bad), str(short)]
    assert lines[0]["decision"] == "rollback"
    assert isinstance(lines[0]["decided_at"], int)
    assert lines[0]["metrics"]["errors"]["lower"] > 1
    assert lines[1]["decision"] == "inconclusive"
    assert lines[1]["decided_at"] is None


def test_options_reach_the_judge(hotfix: Invoke, tmp_path: Path) -> None:
    log = write_log(tmp_path / "log.csv", 3, 500)
    result = hotfix("judge", str(log), "--alpha", "0.01", "--tolerance", "0.25",
                    "--share", "0.5", "--json")
    body = json.loads(result.out)
    assert body["alpha"] == 0.01
    assert body["metrics"]["errors"]["tolerance"] == 1.25
    assert body["sample_ratio"]["checked"] is True


def test_the_table_shows_the_numbers_behind_the_decision(hotfix: Invoke, tmp_path: Path) -> None:
    bad = write_log(tmp_path / "bad.csv", 1, 30_000, canary_errors=0.04)
    result = hotfix("judge", str(bad))
    assert result.code == 1, result.err
    assert "rollback at row" in result.out
    for word in ("errors", "latency", "slow", "e worse/limit", "combined regression e-value"):
        assert word in result.out


def test_a_malformed_row_exits_2_with_its_line(hotfix: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "0,baseline,1,5\n1,canary,2,5\n")
    result = hotfix("judge", str(path))
    assert result.code == 2
    assert f"{path}:3:" in result.err


def test_deploy_and_judge_refuse_an_invalid_judge_setting_alike(
        hotfix: Invoke, repo: Path, records_at: RecordsAt) -> None:
    (repo / "hotfix.toml").write_text('[approvals]\napprovers = ["boss@example.com"]\n\n'
                                      "[judge]\nalpha = 2.0\n")
    records = records_at(repo)
    key = records.open("checkout answers 500", "dev@example.com").key
    records.act(key, "release", "boss@example.com",
                {"facts": {"tag": "v1.0.1", "base_tag": "v1.0.0"}}, override="test set-up")
    log = write_log(repo / "log.csv", 3, 300)
    deployed = hotfix("deploy", key, "--as", "dev@example.com", "--json")
    judged = hotfix("judge", str(log))
    assert deployed.code == judged.code == 2
    assert deployed.err == judged.err
    assert "invalid judge settings: alpha must be between 0 and 1" in judged.err
