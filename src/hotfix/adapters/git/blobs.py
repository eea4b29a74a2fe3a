"""Files as they are at a commit: which exist, and their text, read in one git call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd


def python_files(root: Path, commit: str) -> list[str]:
    listing = cmd.out(["ls-tree", "-r", "-z", "--name-only", commit], root)
    return [p for p in cmd.split_z(listing) if p.endswith(".py")]


def read_files(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
    """Text of each path at ``commit`` (None: absent, binary or not UTF-8), in one git call."""
    if not paths:
        return {}
    spec = "".join(f"{commit}:{p}\n" for p in paths)
    try:
        text = cmd.run(["cat-file", "--batch"], root, input=spec).stdout
    except UnicodeDecodeError:
        return {p: _read_one(root, commit, p) for p in paths}
    return _split_batch(text, list(paths))


def _split_batch(text: str, paths: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    pos = 0
    for i, path in enumerate(paths):
        header_end = text.index("\n", pos)
        header = text[pos:header_end].split(" ")
        if len(header) < 3 or header[1] != "blob":
            out[path] = None
            pos = header_end + 1
            continue
        body_start = header_end + 1
        end = _body_end(text, body_start, int(header[2]), last=i == len(paths) - 1)
        out[path] = text[body_start:end]
        pos = end + 1
    return out


def _body_end(text: str, start: int, size: int, *, last: bool) -> int:
    """Where a blob of ``size`` bytes ends; exact for ASCII, searched for other UTF-8."""
    guess = start + size
    if text[start:guess].isascii() and (last or text.startswith("\n", guess)):
        return guess
    consumed, i = 0, start
    while consumed < size and i < len(text):
        consumed += len(text[i].encode("utf-8", "surrogatepass"))
        i += 1
    return i


def _read_one(root: Path, commit: str, path: str) -> str | None:
    try:
        proc = cmd.run(["show", f"{commit}:{path}"], root, check=False)
    except UnicodeDecodeError:
        return None
    return proc.stdout if proc.returncode == 0 else None
