"""Reading recorded request logs (CSV ``t,version,ok,latency_ms``) for ``hotfix judge``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotfix.adapters.rollout.judge_csv import read_stream
from hotfix.errors import NotFound, UsageError
from tests.services.rollout.test_judge_files import HEADER


def test_a_log_is_read_into_arrays(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "0,baseline,1,12.5\n0.5,canary,0,\n1,canary,1,7\n\n")
    s = read_stream(path)
    assert len(s) == 3
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
