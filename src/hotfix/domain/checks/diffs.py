"""A diff between two commits, as data: which files changed, how, and which lines.

Parsed from ``git diff --name-status -z`` (authoritative paths and statuses) and the
``-U0`` patch of the same diff (hunks). Line sets are what test selection and the scope
guard need: the old file's removed or modified lines, the new file's added or modified
lines, and the points where lines were only inserted or only deleted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int


@dataclass(frozen=True)
class FileChange:
    """One file of a diff. ``path`` is the new path (the old one for a deleted file)."""

    path: str
    status: str  # A added, M modified, D deleted, R renamed, C copied, T type change
    old_path: str | None = None  # None for an added file
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False

    @property
    def added(self) -> int:
        return sum(h.new_count for h in self.hunks)

    @property
    def deleted(self) -> int:
        return sum(h.old_count for h in self.hunks)

    @property
    def old_lines(self) -> frozenset[int]:
        """Lines of the old file removed or modified."""
        return frozenset(n for h in self.hunks for n in range(h.old_start,
                                                              h.old_start + h.old_count))

    @property
    def new_lines(self) -> frozenset[int]:
        """Lines of the new file added or modified."""
        return frozenset(n for h in self.hunks for n in range(h.new_start,
                                                              h.new_start + h.new_count))

    @property
    def old_touched(self) -> frozenset[int]:
        """Old lines changed, plus both neighbours of every pure insertion."""
        near = {n for h in self.hunks if h.old_count == 0 for n in (h.old_start, h.old_start + 1)}
        return self.old_lines | frozenset(n for n in near if n >= 1)

    @property
    def new_touched(self) -> frozenset[int]:
        """New lines changed, plus both neighbours of every pure deletion."""
        near = {n for h in self.hunks if h.new_count == 0 for n in (h.new_start, h.new_start + 1)}
        return self.new_lines | frozenset(n for n in near if n >= 1)


def parse_name_status(text: str) -> list[tuple[str, str | None, str]]:
    """``git diff --name-status -z`` → [(status letter, old path or None, new path)]."""
    parts = [p for p in text.split("\0") if p]
    out: list[tuple[str, str | None, str]] = []
    i = 0
    while i < len(parts):
        status = parts[i][0]
        if status in "RC":
            out.append((status, parts[i + 1], parts[i + 2]))
            i += 3
            continue
        path = parts[i + 1]
        out.append((status, None if status == "A" else path, path))
        i += 2
    return out


def parse_patch(text: str) -> list[tuple[tuple[Hunk, ...], bool]]:
    """The ``-U0`` patch → per file, in order: (hunks, is binary)."""
    files: list[tuple[list[Hunk], list[bool]]] = []
    for line in text.splitlines():
        if line.startswith("diff --git "):
            files.append(([], [False]))
        elif files and line.startswith("@@ "):
            match = _HUNK.match(line)
            if match:
                files[-1][0].append(_hunk(match))
        elif files and line.startswith("Binary files ") and line.endswith(" differ"):
            files[-1][1][0] = True
    return [(tuple(hunks), flag[0]) for hunks, flag in files]


def _hunk(match: re.Match[str]) -> Hunk:
    a, b, c, d = match.groups()
    return Hunk(int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d))


def combine(statuses: Sequence[tuple[str, str | None, str]],
            patches: Sequence[tuple[tuple[Hunk, ...], bool]]) -> list[FileChange]:
    """Pair each name-status entry with its patch block (git emits both in one order)."""
    if len(patches) != len(statuses):
        patches = [((), False)] * len(statuses)
    return [FileChange(path=new, status=status, old_path=old, hunks=hunks, binary=binary)
            for (status, old, new), (hunks, binary) in zip(statuses, patches, strict=True)]
