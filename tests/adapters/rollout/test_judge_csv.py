"""Reading recorded request logs (CSV ``t,version,ok,latency_ms``) for ``hotfix judge``."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from hotfix.adapters.rollout import judge_csv
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


def odd_but_valid() -> list[str]:
    """Rows the fast path hands to the careful reader, which accepts them."""
    long_ms = "1." + "0" * 45 + "1"  # longer than the fast path's latency text: never truncated
    return ["0, baseline ,1,12.5", f"0.5,canary,1,{long_ms}", "1,canary,0, 7 ", "2,baseline,1,nan"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("gaps", [True, False])
def test_the_fast_path_reads_what_the_careful_reader_reads(tmp_path: Path, newline: str,
                                                           gaps: bool) -> None:
    rng = np.random.default_rng(4)
    rows = [f"{i * 0.01:.2f},{'canary' if rng.random() < 0.3 else 'baseline'},"
            f"{int(rng.random() > 0.1)},{'' if gaps and i % 7 == 0 else f'{rng.random():.4f}'}"
            for i in range(500)]
    path = tmp_path / "a.csv"
    path.write_bytes((newline.join([HEADER.strip(), *rows]) + newline).encode())
    body = path.read_bytes().split(b"\n", 1)[1]
    assert judge_csv._fast(body) is not None
    fast, careful = read_stream(path), judge_csv._careful(path, body, 2)[0]
    for got, want in zip(fast.__dict__.values(), careful.__dict__.values(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_odd_but_valid_rows_are_read_by_the_careful_reader(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + "\n".join(odd_but_valid()) + "\n")
    assert judge_csv._fast(path.read_bytes().split(b"\n", 1)[1]) is None
    s = read_stream(path)
    assert s.canary.tolist() == [False, True, True, False]
    assert s.latency_ms[1] == pytest.approx(1.0)
    assert s.latency_ms[2] == 7.0
    assert np.isnan(s.latency_ms[3])


@pytest.mark.parametrize("row", ["1,canary,1,5,9", "1,baselines,1,5", "1,canary,10,5",
                                 "1,canary,1,5e", "1,canary,1"])
def test_a_bad_row_in_a_big_file_is_named_by_its_line(tmp_path: Path, row: str) -> None:
    good = [f"{i},baseline,1,5" for i in range(2_000)]
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n".join([*good[:1500], row, *good[1500:]]) + "\n")
    with pytest.raises(UsageError, match=r"big.csv:1502: "):
        read_stream(path)


def many_rows(n: int, newline: str = "\n") -> list[str]:
    return [f"{i * 0.001:.3f},{'canary' if i % 4 == 0 else 'baseline'},{int(i % 97 != 0)},"
            f"{'' if i % 50 == 0 else f'{10 + i % 13}.5'}" for i in range(n)]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_is_streamed_in_pieces_with_the_same_result(tmp_path: Path, newline: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(newline.join([HEADER.strip(), *many_rows(5_000)]).encode())  # no last EOL
    whole = read_stream(path)
    monkeypatch.setattr(judge_csv, "PIECE", 1_000)
    pieces = read_stream(path)
    assert len(pieces) == len(whole) == 5_000
    for got, want in zip(pieces.__dict__.values(), whole.__dict__.values(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert np.isnan(pieces.latency_ms[::50]).all()
    assert pieces.canary[::4].all()


@pytest.mark.parametrize(
    ("line", "row", "message"),
    [
        (3_001, "1,canary,1,x", "latency_ms is 'x', not a number"),
        (4_500, "0.5,canary,1,5", "rows must be in time order"),
        (2_222, "", "expected 4 fields, got 1: ''"),
        (3_333, " ", "expected 4 fields, got 1: ' '"),
    ],
)
def test_a_bad_line_in_a_later_piece_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              line: int, row: str, message: str) -> None:
    rows = many_rows(5_000)
    rows.insert(line - 2, row)
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    monkeypatch.setattr(judge_csv, "PIECE", 1_000)
    with pytest.raises(UsageError) as caught:
        read_stream(path)
    assert f"big.csv:{line}: {message}" in caught.value.message


def test_blank_lines_at_the_end_are_ignored_across_pieces(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tail.csv"
    path.write_text(HEADER + "\n".join(many_rows(100)) + "\n" * 3_000)
    monkeypatch.setattr(judge_csv, "PIECE", 500)
    assert len(read_stream(path)) == 100


def test_a_huge_file_is_read_in_bounded_memory(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory grows with the arrays (18 bytes a row), not with the text (30 bytes a row)."""
    rows = 200_000
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "\n".join(many_rows(rows)) + "\n")
    monkeypatch.setattr(judge_csv, "PIECE", 1 << 16)
    tracemalloc.start()
    try:
        s = read_stream(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    arrays = sum(getattr(s, f).nbytes for f in ("t", "canary", "ok", "latency_ms"))
    assert len(s) == rows
    assert peak < 1.5 * arrays + 32 * judge_csv.PIECE < path.stat().st_size + arrays


def test_a_blank_line_that_ends_a_piece_is_named_when_rows_follow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = many_rows(300)
    before = "\n".join(rows[:100]) + "\n\n"  # the first piece ends with the blank line 102
    path = tmp_path / "gap.csv"
    path.write_text(HEADER + before + "\n".join(rows[100:]) + "\n")
    monkeypatch.setattr(judge_csv, "PIECE", len(before))
    with pytest.raises(UsageError, match=r"gap.csv:102: expected 4 fields, got 1: ''"):
        read_stream(path)


@pytest.mark.parametrize(
    ("t_format", "ms_format", "start"),
    [("{:.6f}", "{:.3f}", 0.0), ("{:.6f}", "{:.3f}", 1.7e9), ("{:.0f}", "{:.0f}", 0.0),
     ("{:.9f}", "{:.10f}", 3.0), ("{:.1f}", "{:.8f}", 12345678.0), ("{:.2f}", "{:.0f}.", 0.0)],
)
def test_plain_decimals_are_converted_as_float_converts_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, t_format: str, ms_format: str,
        start: float) -> None:
    """Digits with a point at the same place in every row are converted by the reader itself
    (not by numpy's parser), to the very doubles ``float`` gives, empty latencies as nan."""
    rng = np.random.default_rng(7)
    t = [t_format.format(v) for v in start + np.cumsum(rng.exponential(3.0, 3_000))]
    ms = ["" if i % 9 == 0 else ms_format.format(v)
          for i, v in enumerate(np.exp(rng.normal(3.0, 2.0, 3_000)))]
    ms[1] = ms_format.format(0.0)
    rows = [f"{a},{'canary' if i % 3 else 'baseline'},{i % 2},{b}"
            for i, (a, b) in enumerate(zip(t, ms, strict=True))]
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")

    def unused(*args: object) -> None:
        raise AssertionError("numpy's parser was used")

    monkeypatch.setattr(judge_csv, "_numbers_fast", unused)
    monkeypatch.setattr(judge_csv, "PIECE", 10_000)  # pieces that begin inside a number's word
    s = read_stream(path)
    np.testing.assert_array_equal(s.t, [float(v) for v in t])
    np.testing.assert_array_equal(s.latency_ms, [float(v) if v else np.nan for v in ms])


@pytest.mark.parametrize(
    ("t", "ms"),
    [("100", "1e3"), ("1.00e2", "-0"), ("+100", "12345678901234567"), ("100.25", "nan"),
     ("100.000000000000000001", "9007199254740993"), ("1005e-1", "0.12345678901234567"),
     ("100.5", "2.25"), ("100.5", "7"), ("100.5", ".5"), ("100.5", "7."),
     ("100.5", "4419269212589083.3")],  # 2**53 < 44192692125890833: one rounding too many
)
def test_numbers_not_plain_alike_go_to_numpys_parser(tmp_path: Path, t: str, ms: str) -> None:
    """A number the word-at-a-time conversion cannot take exactly (an exponent, a sign, more
    than 2**53 units, a point elsewhere) sends the piece to numpy's parser: the same result."""
    rows = [f"{i}.5,canary,1,{i}.5" for i in range(200)]
    rows[100] = f"{t},canary,1,{ms}"
    path = tmp_path / "odd.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    s = read_stream(path)
    want = np.arange(200) + 0.5
    want[100] = float(t)
    np.testing.assert_array_equal(s.t, want)
    want[100] = float(ms)
    np.testing.assert_array_equal(s.latency_ms, want)


def test_a_line_longer_than_the_buffer_is_read_whole(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.csv"
    path.write_text(HEADER + "\n".join(many_rows(300)) + "\n")
    whole = read_stream(path)
    monkeypatch.setattr(judge_csv, "PIECE", 7)  # shorter than every line
    pieces = read_stream(path)
    for got, want in zip(pieces.__dict__.values(), whole.__dict__.values(), strict=True):
        np.testing.assert_array_equal(got, want)
