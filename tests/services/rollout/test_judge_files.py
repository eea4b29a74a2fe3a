"""Judging recorded request logs as if live (the CSV reader: tests/adapters/rollout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotfix.adapters.rollout.judge_csv import read_stream
from hotfix.domain.judge.engine import Judge, JudgeSettings
from hotfix.errors import ConfigError
from hotfix.services.rollout.judge_files import FileVerdict, judge_files, judge_stream
from hotfix.wiring import open_judging

HEADER = "t,version,ok,latency_ms\n"


def write_log(path: Path, seed: int, n: int, canary_errors: float = 0.01) -> Path:
    rng = np.random.default_rng(seed)
    canary = rng.random(n) < 0.5
    ok = rng.random(n) >= np.where(canary, canary_errors, 0.01)
    latency = np.exp(np.log(50.0) + 0.5 * rng.standard_normal(n))
    rows = (
        f"{i * 0.01:.2f},{'canary' if c else 'baseline'},{int(o)},{lat:.2f}"
        for i, (c, o, lat) in enumerate(zip(canary, ok, latency, strict=True))
    )
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_file_verdict_is_the_state_at_the_decision(tmp_path: Path) -> None:
    stream = read_stream(write_log(tmp_path / "bad.csv", 1, 40_000, canary_errors=0.04))
    verdict = judge_stream(stream, JudgeSettings(), None)
    assert verdict.decision == "rollback"
    assert verdict.decided_at is not None
    assert verdict.requests["canary"] + verdict.requests["baseline"] == verdict.decided_at + 1
    live = Judge().update(stream.canary, stream.ok, stream.latency_ms)
    assert live.decided_at == verdict.decided_at


def judged(paths: list[Path], start: Path, **overrides: float) -> list[FileVerdict]:
    """``hotfix judge``: the settings of the repository around ``start``, then the files."""
    setup = open_judging(start, {}, overrides)
    return judge_files(paths, settings=setup.settings, read=setup.read)


def test_files_are_judged_with_the_repository_settings(tmp_path: Path) -> None:
    (tmp_path / "hotfix.toml").write_text("[judge]\nalpha = 0.01\n")
    good = write_log(tmp_path / "good.csv", 2, 2_000)
    results = judged([good], tmp_path)
    assert results[0].verdict.alpha == 0.01
    assert results[0].rows == 2_000
    assert results[0].to_dict()["decision"] == "inconclusive"
    again = judged([good], tmp_path, **{"judge.alpha": 0.1})
    assert again[0].verdict.alpha == 0.1


def test_bad_judge_settings_are_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "hotfix.toml").write_text("[judge]\nalpha = 2.0\n")
    with pytest.raises(ConfigError, match="alpha must be between 0 and 1"):
        judged([], tmp_path)
