"""Read a recorded request stream (CSV ``t,version,ok,latency_ms``) into arrays, fast.

A well-formed file (ASCII, the header, 3 commas a row) is read by numpy in one go into a
record array, and its columns checked and converted as arrays. Anything unusual (a bad row,
a blank line, non-ASCII text, an odd value) falls back to the careful reader, which splits
the text column by column and, when a column fails to convert, scans it row by row to name
the first bad line. Either way the same rows are accepted, and the same errors given.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hotfix.errors import NotFound, UsageError
from hotfix.ports import Observations

HEADER = ("t", "version", "ok", "latency_ms")
HINT = (
    "each row is `t,version,ok,latency_ms`: seconds, `baseline` or `canary`, 1 or 0, "
    "milliseconds (empty if unknown), in time order"
)


def read_stream(path: Path) -> Observations:
    """Parse ``path``; UsageError naming the file and line of the first bad row."""
    stream = _fast(path)
    if stream is None:
        return _careful(path)
    _check_values(path, stream)
    return stream


ROW = [("t", "f8"), ("version", "S9"), ("ok", "S2")]
"""One row as numpy reads it at once; one byte more than the longest valid value, so that a
longer one cannot be truncated into a valid one."""
LATENCY_TEXT = 40  # latency_ms as text when some are empty (numpy reads no empty number)


def _fast(path: Path) -> Observations | None:
    """The stream of a well-formed file, or None to let the careful reader decide."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    rows = _data_rows(raw)
    gaps = raw.count(b",\n") + (b"\r" in raw and raw.count(b",\r\n")) + raw.endswith(b",")
    del raw
    if rows is None:
        return None
    kind = f"S{LATENCY_TEXT}" if gaps else "f8"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = np.loadtxt(path, delimiter=",", skiprows=1, comments=None, ndmin=1,
                               dtype=np.dtype([*ROW, ("latency_ms", kind)]), encoding="ascii")
    except (ValueError, UserWarning, OSError):
        return None
    version, ok = table["version"], table["ok"]
    canary, okay = version == b"canary", ok == b"1"
    if table.size != rows or not ((canary | (version == b"baseline")).all()
                                  and (okay | (ok == b"0")).all()):
        return None  # a blank line inside, or an odd value: the careful reader names it
    ms = _latency(table["latency_ms"]) if gaps else table["latency_ms"]
    if ms is None:
        return None
    return Observations(np.ascontiguousarray(table["t"]), canary, okay,
                        np.ascontiguousarray(ms, dtype=np.float64))


def _latency(text: npt.NDArray[np.bytes_]) -> npt.NDArray[np.float64] | None:
    if (np.char.str_len(text) >= LATENCY_TEXT).any():
        return None  # perhaps truncated
    text[text == b""] = b"nan"
    try:
        return text.astype(np.float64)
    except ValueError:
        return None


def _data_rows(raw: bytes) -> int | None:
    """Data rows of a plain ASCII file with the expected header (numpy refuses a row with
    other than 4 fields, but skips blank lines: the count tells)."""
    if not raw.isascii():
        return None  # a BOM, or non-ASCII text: the careful reader
    head = raw[: raw.find(b"\n")] if b"\n" in raw else b""
    if tuple(name.strip() for name in head.split(b",")) != tuple(h.encode() for h in HEADER):
        return None
    end = len(raw)
    while end and raw[end - 1] in b"\r\n":
        end -= 1
    rows = raw.count(b"\n", 0, end)
    return rows or None


def _careful(path: Path) -> Observations:
    lines = _lines(path)
    _check_header(path, lines[0])
    body = lines[1:]
    while body and not body[-1].strip():
        body.pop()
    cols = _columns(path, body)
    t = _numbers(path, cols[0], "t")
    latency = _numbers(path, cols[3], "latency_ms", missing_ok=True)
    canary = _choice(path, cols[1], "canary", "baseline")
    stream = Observations(t, canary, _choice(path, cols[2], "1", "0"), latency)
    _check_values(path, stream)
    return stream


def _columns(path: Path, body: list[str]) -> list[list[str]]:
    """Split every row at once; the four columns as lists of strings."""
    commas = np.fromiter((line.count(",") for line in body), dtype=np.int64, count=len(body))
    bad = np.flatnonzero(commas != len(HEADER) - 1)
    if bad.size:
        i = int(bad[0])
        _fail(path, i, f"expected 4 fields, got {commas[i] + 1}: {body[i]!r}")
    tokens = ",".join(body).split(",") if body else []
    return [tokens[k :: len(HEADER)] for k in range(len(HEADER))]


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file", hint="give the path of a CSV request log") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise UsageError(f"{path}: not a UTF-8 text file ({exc})", hint=HINT) from None
    lines = text.splitlines()
    if not lines:
        raise UsageError(f"{path}: empty file", hint=HINT)
    return lines


def _check_header(path: Path, line: str) -> None:
    names = tuple(name.strip() for name in line.lstrip("\ufeff").split(","))
    if names != HEADER:
        raise UsageError(
            f"{path}:1: header is {line!r}, expected t,version,ok,latency_ms", hint=HINT
        )


def _numbers(
    path: Path, col: Sequence[str], name: str, *, missing_ok: bool = False
) -> npt.NDArray[np.float64]:
    try:
        if missing_ok:
            return np.array([v or "nan" for v in col], dtype=np.float64)
        return np.array(col, dtype=np.float64)
    except ValueError:
        index = _first(col, lambda v: not _is_number(v, missing_ok))
        _fail(path, index, f"{name} is {col[index]!r}, not a number")
        raise  # unreachable: _fail raises


def _choice(path: Path, col: Sequence[str], yes: str, no: str) -> npt.NDArray[np.bool_]:
    values = np.array(col)
    hit, miss = values == yes, values == no
    if not (hit | miss).all():
        stripped = np.char.strip(values)
        hit, miss = stripped == yes, stripped == no
        bad = np.flatnonzero(~(hit | miss))
        if bad.size:
            i = int(bad[0])
            _fail(path, i, f"expected {yes!r} or {no!r}, got {col[i]!r}")
    return np.asarray(hit, dtype=np.bool_)


def _check_values(path: Path, s: Observations) -> None:
    checks = [
        (~np.isfinite(s.t), "t must be a finite number of seconds"),
        (np.isinf(s.latency_ms) | (s.latency_ms < 0), "latency_ms must be ≥ 0 (or empty)"),
        (np.concatenate([[False], np.diff(s.t) < 0]), "rows must be in time order (t went back)"),
    ]
    for bad, message in checks:
        hits = np.flatnonzero(bad)
        if hits.size:
            _fail(path, int(hits[0]), message)


def _is_number(value: str, missing_ok: bool) -> bool:
    if missing_ok and value == "":
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def _first(col: Sequence[str], bad: Callable[[str], bool]) -> int:
    return next(i for i, v in enumerate(col) if bad(v))


def _fail(path: Path, row: int, message: str) -> None:
    raise UsageError(f"{path}:{row + 2}: {message}", hint=HINT)
