"""Read a recorded request stream (CSV ``t,version,ok,latency_ms``) into arrays, fast.

The file is streamed in pieces of whole lines (``PIECE`` bytes, read into one buffer), so
memory grows with the arrays the judge needs (18 bytes a row), not with the text. Each piece
of a plain file (ASCII, 3 commas a row, no spaces) is checked as arrays: the commas and line
ends are found with numpy, ``version`` and ``ok`` are compared byte for byte at their
positions, and ``t`` and ``latency_ms``, when written as plain decimals alike (digits, the
point at the same place from the end in each row), are converted 8 digits at a time as
64-bit words, to the same doubles ``float`` gives. Other numbers (an exponent, a sign,
``nan``, points at different places, more than 2**53 units) go to numpy's C parser (an
empty latency written ``nan`` in place first). Anything unusual in a piece (a bad row, a
blank line, spaces, non-ASCII text) hands that piece to the careful reader, which splits it
column by column and, when a column fails to convert, scans it row by row to name the first
bad line. Either way the same rows are accepted, and the same errors given. Lines end in LF
or CRLF.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator, Sequence
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
PIECE = 1 << 20  # bytes read at a time (whole lines): about 35,000 rows; its arrays stay in cache
BOM = b"\xef\xbb\xbf"
Buffer = bytes | bytearray | memoryview


def read_stream(path: Path) -> Observations:
    """Parse ``path``; UsageError naming the file and line of the first bad row."""
    parts: list[Observations] = []
    blank: tuple[int, str] | None = None  # a blank line that ended the pieces so far
    scratch = np.empty(PIECE, dtype=np.bool_)  # one per byte, for every piece
    try:
        with path.open("rb") as fh:
            line = 2
            for piece in _pieces(path, fh):
                part, lines, tail = _read_piece(path, piece, line, scratch)
                if len(part):
                    if blank is not None:
                        _fail(path, blank[0], f"expected 4 fields, got 1: {blank[1]!r}")
                    _check_values(path, part, line, parts[-1].t[-1] if parts else None)
                    parts.append(part)
                blank = blank or tail
                line += lines
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file", hint="give the path of a CSV request log") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a CSV file", hint=HINT) from None
    return _join(parts)


def _pieces(path: Path, fh: io.BufferedReader) -> Iterator[memoryview]:
    """The header checked, then the rest in pieces that end at a line end (the last may not).

    The pieces are views of one buffer, read into again for the next piece: a piece is
    used up (its rows copied into arrays) before the next is asked for."""
    head = fh.readline()
    if not head:
        raise UsageError(f"{path}: empty file", hint=HINT)
    _check_header(path, head)
    buf = bytearray(PIECE)
    view = memoryview(buf)
    kept = 0  # bytes of a line begun in the piece before, at the start of buf
    while got := fh.readinto(view[kept:]):
        filled = kept + got
        cut = buf.rfind(b"\n", kept, filled) + 1
        if not cut:  # no line end yet
            if filled == len(buf):  # a line longer than the buffer: a bigger buffer
                bigger = bytearray(2 * len(buf))
                bigger[:filled] = view[:filled]
                buf, view = bigger, memoryview(bigger)
            kept = filled
            continue
        yield view[:cut]
        kept = filled - cut
        buf[:kept] = bytes(view[cut:filled])
    if kept:
        yield view[:kept]


def _check_header(path: Path, raw: bytes) -> None:
    line = raw.removeprefix(BOM).decode("utf-8", "replace").rstrip("\r\n")
    if tuple(name.strip() for name in line.split(",")) != HEADER:
        raise UsageError(
            f"{path}:1: header is {line!r}, expected t,version,ok,latency_ms", hint=HINT
        )


def _read_piece(path: Path, piece: Buffer, line: int, scratch: npt.NDArray[np.bool_],
                ) -> tuple[Observations, int, tuple[int, str] | None]:
    """The rows of one piece (its first line is ``line``), its number of lines, and the
    first of the blank lines it ends with (line number and text), if it ends with some."""
    fast = _fast(piece, scratch)
    if fast is not None:
        return fast, len(fast), None
    return _careful(path, piece, line)


def _join(parts: list[Observations]) -> Observations:
    """One stream of the pieces' rows, a column at a time (each piece's column let go as it
    is copied, so the peak is the rows plus one column, not twice the rows)."""
    if not parts:
        return Observations()
    if len(parts) == 1:
        return parts[0]
    columns = [[getattr(p, name) for p in parts] for name in ("t", "canary", "ok", "latency_ms")]
    parts.clear()
    joined = []
    while columns:
        joined.append(np.concatenate(columns.pop(0)))
    t, canary, ok, latency_ms = joined
    return Observations(t, canary, ok, latency_ms)


# ── the fast path: a plain piece, checked and converted as arrays ──────────────────────────

CANARY = int.from_bytes(b"canary\0\0", "little")
BASELINE = int.from_bytes(b"baseline", "little")
SIX_BYTES = (1 << 48) - 1
LF_MARKS = np.array([44, 44, 44, 10], dtype=np.uint8)  # ",,," then the line end
CRLF_MARKS = np.array([44, 44, 44, 13, 10], dtype=np.uint8)


def _fast(piece: Buffer, scratch: npt.NDArray[np.bool_] | None = None) -> Observations | None:
    """The rows of a plain piece, or None to let the careful reader decide. ``scratch``: an
    array of at least a flag per byte to use (a fresh one costs a fault per page of it)."""
    if piece[-1:] != b"\n":
        piece = bytes(piece) + b"\n"  # the file's last line
    u = np.frombuffer(piece, dtype=np.uint8)
    if u.size < 12:
        return None  # 12 bytes: the shortest row, "0,canary,1,\n"
    if scratch is None or scratch.size < u.size:
        scratch = np.empty(u.size, dtype=np.bool_)
    flags = scratch[: u.size]
    marks = _marks(u, flags)
    if marks is None:
        return None
    c, end = marks[:, :3], marks[:, 3]
    words = np.ndarray(shape=(u.size - 7,), dtype="<u8", buffer=u, strides=(1,))
    size = c[:, 1] - c[:, 0] - 1
    canary = size == 6
    word = words[np.minimum(c[:, 0] + 1, u.size - 8)]
    ok_byte = u[c[:, 1] + 1]
    ok = ok_byte == 49
    if not (np.where(canary, word & SIX_BYTES == CANARY, (size == 8) & (word == BASELINE)).all()
            and (c[:, 2] - c[:, 1] == 2).all() and (ok | (ok_byte == 48)).all()):
        return None  # not `canary` or `baseline`, or not 1 or 0
    starts = np.empty_like(end)
    starts[0] = 0
    starts[1:] = marks[:-1, -1] + 1
    t = _decimals(u, words, starts, c[:, 0])
    latency = _decimals(u, words, c[:, 2] + 1, end)
    # Every byte of the piece is a mark, in `version` (letters), `ok` (a digit) or a number:
    # as many digits as the numbers' widths less their points, and each number is digits.
    if t is not None and latency is not None and t[1] + latency[1] + len(ok) == (
            np.count_nonzero(np.greater_equal(u, 48, out=flags))
            - np.count_nonzero(np.greater(u, 57, out=flags))):
        return Observations(t[0], canary, ok, latency[0])
    numbers = _numbers_fast(piece, u, c, end)
    if numbers is None:
        return None
    return Observations(np.ascontiguousarray(numbers[:, 0]), canary, ok,
                        np.ascontiguousarray(numbers[:, 1]))


def _marks(u: npt.NDArray[np.uint8], flags: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp] | None:
    """Per row, the positions of its 3 commas and of its line end (its CR in a CRLF file),
    if each row is exactly ``t,…,…,…`` with a t: one pass over the bytes ≤ 44 (the comma),
    which are then only commas and line ends, 3 and one in turn. A space, a tab, a control
    character, a ``+`` or mixed line ends: None, for the careful reader."""
    found = np.flatnonzero(np.less_equal(u, 44, out=flags))
    if found.size < 4:
        return None
    pattern = CRLF_MARKS if u[found[3]] == 13 else LF_MARKS
    if found.size % pattern.size:
        return None
    marks = found.reshape(-1, pattern.size)
    ends = marks[:, -1]
    plain = ((u[found].reshape(marks.shape) == pattern).all() and marks[0, 0] > 0
             and (marks[1:, 0] > ends[:-1] + 1).all())
    if pattern is CRLF_MARKS:
        plain = plain and (marks[:, 3] + 1 == ends).all()
    return marks if plain else None


# Numbers written as plain decimals (digits, then maybe a point and digits) are converted
# 8 digits at a time: the 8 bytes that end at the digits' end are read as one word, the bytes
# before the digits masked away, and the word folded into its value in 3 steps (pairs of
# digits, then fours, then eights). That the bytes are digits is checked once per piece, by
# counting them. A number of at most 2**53 units of its last digit (15–16 digits) and its
# power of 10 are exact doubles, so their quotient is the double nearest the text, as
# ``float`` reads it.
EXACT = 1 << 53
DIGITS = 0x0F0F0F0F0F0F0F0F  # of each byte of a digit, its value
KEEP = np.array([DIGITS & ~((1 << 8 * (8 - n)) - 1) for n in range(9)], dtype=np.uint64)
FOLDS = [(np.uint64(8), np.uint64(10), np.uint64(0x00FF00FF00FF00FF)),  # pairs of digits,
         (np.uint64(16), np.uint64(100), np.uint64(0x0000FFFF0000FFFF)),  # then fours,
         (np.uint64(32), np.uint64(10_000), np.uint64(0xFFFFFFFF))]  # then eights


def _decimals(u: npt.NDArray[np.uint8], words: npt.NDArray[np.uint64],
              start: npt.NDArray[np.intp], end: npt.NDArray[np.intp],
              ) -> tuple[npt.NDArray[np.float64], int] | None:
    """The numbers in ``u[start:end]`` of each row (nan where empty) and how many digits
    they have, if each has at most 16 digits before its point and its point (if any) as many
    digits before its end as in the first row that has one, and (once its bytes are known to
    be digits) is exact; else None (for numpy's parser)."""
    width = end - start
    empty = width == 0
    first = int(np.argmin(empty))
    if empty[first]:
        return np.full(width.size, np.nan), 0
    point = bytes(u[start[first] : end[first]]).rfind(b".")
    places = 0 if point < 0 else int(width[first]) - point - 1
    whole_end = end if point < 0 else end - places - 1
    whole = whole_end - start
    gaps = empty.any()
    if point >= 0:
        if not (((u[whole_end] == 46) & (whole >= 0)) | empty).all():
            return None
        if gaps:
            whole[empty] = 0
    value = _digits(words, whole_end, whole)
    frac = _digits(words, end, places) if places else None
    if value is None or (places and frac is None):
        return None
    digits = int(whole.sum())
    if frac is not None:
        fits = value <= EXACT // 10**places
        value = value * np.uint64(10**places) + frac
        fits &= value <= EXACT
        digits += places * (width.size - int(np.count_nonzero(empty)))
    else:
        fits = value <= EXACT
    if not (fits | empty if gaps else fits).all():
        return None
    out = value.astype(np.float64)
    if places:
        out /= 10.0**places
    if gaps:
        out[empty] = np.nan
    return out, digits


def _digits(words: npt.NDArray[np.uint64], end: npt.NDArray[np.intp],
            count: npt.NDArray[np.intp] | int) -> npt.NDArray[np.uint64] | None:
    """The value of the ``count`` (≤ 16) digits that end at ``end`` in each row, or None if
    a count is above 16."""
    most = int(np.max(count))
    if most > 16:
        return None
    if most <= 8:
        return _eight(words, end, count)
    low = _eight(words, end, np.minimum(count, 8))
    return _eight(words, end - 8, np.clip(count - 8, 0, 8)) * np.uint64(100_000_000) + low


def _eight(words: npt.NDArray[np.uint64], end: npt.NDArray[np.intp],
           count: npt.NDArray[np.intp] | int) -> npt.NDArray[np.uint64]:
    """The value of the ``count`` (≤ 8) digits that end at ``end`` (each byte there taken
    for a digit)."""
    at = end - 8
    if at[0] >= 0:
        w = words[at]
    else:  # the piece's first rows: fewer than 8 bytes before the end
        w = words[np.maximum(at, 0)]
        head = int(np.searchsorted(at, 0))
        bits = np.minimum(-at[:head], 8) * 8
        w[:head] = np.where(bits < 64, w[:head] << np.minimum(bits, 56).astype(np.uint64), 0)
    np.bitwise_and(w, KEEP[count], out=w)
    part = np.empty_like(w)
    for step, scale, mask in FOLDS:  # in place: a fresh array costs a fault per page
        np.right_shift(w, step, out=part)
        w *= scale
        w += part
        w &= mask
    return w


def _numbers_fast(piece: Buffer, u: npt.NDArray[np.uint8], c: npt.NDArray[np.intp],
                  end: npt.NDArray[np.intp]) -> npt.NDArray[np.float64] | None:
    """t and latency_ms of each row (rows × 2) by numpy's C parser, or None if one is not a
    number. An empty latency is written ``nan`` first: "…,canary,1,\n" → "…,cana,,nan\n"."""
    if u.max() > 127:
        return None
    gaps = np.flatnonzero(c[:, 2] + 1 == end)
    text: Buffer = piece
    if gaps.size:
        edited = bytearray(piece)
        w = np.frombuffer(edited, dtype=np.uint8)
        for k, byte in enumerate(b",,nan"):
            w[end[gaps] - 5 + k] = byte
        text = edited
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            table = np.loadtxt(io.BytesIO(text), delimiter=",", usecols=(0, 3), comments=None,
                               ndmin=2, dtype=np.float64, encoding="ascii")
    except (ValueError, UserWarning):
        return None
    return table if table.shape[0] == c.shape[0] else None


# ── the careful path: any piece, column by column, naming the first bad line ───────────────


def _careful(path: Path, piece: Buffer,
             line: int) -> tuple[Observations, int, tuple[int, str] | None]:
    try:
        text = str(piece, "utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not a UTF-8 text file ({exc})", hint=HINT) from None
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    count = len(lines)
    body = [row.removesuffix("\r") for row in lines]
    while body and not body[-1].strip():
        body.pop()
    tail = (line + len(body), lines[len(body)].removesuffix("\r")) if len(body) < count else None
    if not body:
        return Observations(), count, tail
    cols = _columns(path, body, line)
    t = _numbers(path, cols[0], "t", line)
    latency = _numbers(path, cols[3], "latency_ms", line, missing_ok=True)
    canary = _choice(path, cols[1], "canary", "baseline", line)
    ok = _choice(path, cols[2], "1", "0", line)
    return Observations(t, canary, ok, latency), count, tail


def _columns(path: Path, body: list[str], line: int) -> list[list[str]]:
    """Split every row at once; the four columns as lists of strings."""
    commas = np.fromiter((row.count(",") for row in body), dtype=np.int64, count=len(body))
    bad = np.flatnonzero(commas != len(HEADER) - 1)
    if bad.size:
        i = int(bad[0])
        _fail(path, line + i, f"expected 4 fields, got {commas[i] + 1}: {body[i]!r}")
    tokens = ",".join(body).split(",") if body else []
    return [tokens[k :: len(HEADER)] for k in range(len(HEADER))]


def _numbers(
    path: Path, col: Sequence[str], name: str, line: int, *, missing_ok: bool = False
) -> npt.NDArray[np.float64]:
    try:
        if missing_ok:
            return np.array([v or "nan" for v in col], dtype=np.float64)
        return np.array(col, dtype=np.float64)
    except ValueError:
        index = _first(col, lambda v: not _is_number(v, missing_ok))
        _fail(path, line + index, f"{name} is {col[index]!r}, not a number")
        raise  # unreachable: _fail raises


def _choice(path: Path, col: Sequence[str], yes: str, no: str,
            line: int) -> npt.NDArray[np.bool_]:
    values = np.array(col)
    hit, miss = values == yes, values == no
    if not (hit | miss).all():
        stripped = np.char.strip(values)
        hit, miss = stripped == yes, stripped == no
        bad = np.flatnonzero(~(hit | miss))
        if bad.size:
            i = int(bad[0])
            _fail(path, line + i, f"expected {yes!r} or {no!r}, got {col[i]!r}")
    return np.asarray(hit, dtype=np.bool_).reshape(-1)


def _check_values(path: Path, s: Observations, line: int, before: float | None) -> None:
    """The values of one piece (at ``line``), after ``before``: the last t of the pieces
    before it."""
    if not len(s):
        return
    back = np.diff(s.t, prepend=s.t[0] if before is None else before) < 0
    checks = [
        (~np.isfinite(s.t), "t must be a finite number of seconds"),
        (np.isinf(s.latency_ms) | (s.latency_ms < 0), "latency_ms must be ≥ 0 (or empty)"),
        (back, "rows must be in time order (t went back)"),
    ]
    for bad, message in checks:
        hits = np.flatnonzero(bad)
        if hits.size:
            _fail(path, line + int(hits[0]), message)


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


def _fail(path: Path, line: int, message: str) -> None:
    raise UsageError(f"{path}:{line}: {message}", hint=HINT)
