"""Reading request logs and judging them as if live."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotfix.domain.judge import Judge, JudgeSettings
from hotfix.errors import ConfigError, NotFound, UsageError
from hotfix.services.judge_csv import read_stream
from hotfix.services.judge_files import judge_files, judge_stream

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


def test_a_log_is_read_into_arrays(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "0,baseline,1,12.5\n0.5,canary,0,\n1,canary,1,7\n\n")
    s = read_stream(path)
    assert s.rows == 3
    assert s.canary.tolist() == [False, True, True]
    assert s.ok.tolist() == [True, False, True]
    assert s.latency_ms[0] == 12.5
    assert np.isnan(s.latency_ms[1])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("0,baseline,1,5\n1,canary,1\n", ":3: expected 4 fields, got 3"),
        ("0,baseline,1,5\n1,canery,1,5\n", ":3: expected 'canary' or 'baseline', got 'canery'"),
        ("0,baseline,1,5\n1,canary,yes,5\n", ":3: expected '1' or '0', got 'yes'"),
        ("0,baseline,1,5\nsoon,canary,1,5\n", ":3: t is 'soon', not a number"),
        ("0,baseline,1,5\n1,canary,1,fast\n", ":3: latency_ms is 'fast', not a number"),
        ("0,baseline,1,5\n1,canary,1,-3\n", ":3: latency_ms must be ≥ 0"),
        ("5,baseline,1,5\n6,canary,1,5\n4,canary,1,5\n", ":4: rows must be in time order"),
        ("0,baseline,1,5\n\n1,canary,1,5\n", ":3: expected 4 fields, got 1"),
    ],
)
def test_a_malformed_row_is_named_by_its_line(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + body)
    with pytest.raises(UsageError) as caught:
        read_stream(path)
    assert message in caught.value.message
    assert caught.value.message.startswith(str(path))
    assert "t,version,ok,latency_ms" in (caught.value.hint or "")


@pytest.mark.parametrize("text", ["", "time,version,ok,latency\n0,canary,1,5\n"])
def test_a_missing_or_wrong_header_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(UsageError):
        read_stream(path)


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_stream(tmp_path / "nope.csv")


def test_the_file_verdict_is_the_state_at_the_decision(tmp_path: Path) -> None:
    stream = read_stream(write_log(tmp_path / "bad.csv", 1, 40_000, canary_errors=0.04))
    verdict = judge_stream(stream, JudgeSettings(), None)
    assert verdict.decision == "rollback"
    assert verdict.decided_at is not None
    assert verdict.requests["canary"] + verdict.requests["baseline"] == verdict.decided_at + 1
    live = Judge().update(stream.canary, stream.ok, stream.latency_ms)
    assert live.decided_at == verdict.decided_at


def test_files_are_judged_with_the_repository_settings(tmp_path: Path) -> None:
    (tmp_path / "hotfix.toml").write_text("[judge]\nalpha = 0.01\n")
    good = write_log(tmp_path / "good.csv", 2, 2_000)
    results = judge_files([good], start=tmp_path, environ={})
    assert results[0].verdict.alpha == 0.01
    assert results[0].to_dict()["decision"] == "inconclusive"
    again = judge_files([good], start=tmp_path, environ={}, overrides={"judge.alpha": 0.1})
    assert again[0].verdict.alpha == 0.1


def test_bad_judge_settings_are_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "hotfix.toml").write_text("[judge]\nalpha = 2.0\n")
    with pytest.raises(ConfigError, match="alpha must be between 0 and 1"):
        judge_files([], start=tmp_path, environ={})
