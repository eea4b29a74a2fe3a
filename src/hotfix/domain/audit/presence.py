"""Is a patch applied in a tree? Hunk by hunk, from the file's text at that tree.

A hunk is *applied* when its post-image (context and added lines) is in the file and its
pre-image (context and removed lines) is not; *absent* when the pre-image is there and the
post-image is not; *unknown* when neither or both are (the code moved on since, or the
change is too small to tell) — what ``git apply --check --reverse`` and ``git apply
--check`` would say, without an index. An occurrence that lies inside an occurrence of the
other image does not count (a hunk that only appends lines has its pre-image inside its
post-image). When the images with their context say nothing, the changed lines alone are
tried, but only a block found exactly once decides: a pick whose conflict was resolved
another way keeps the old lines under a changed context. Removing is never proof of a
fix: a hunk that only removes lines (or deletes a file) looks applied in any tree that
never had those lines, so it can tell a fix absent, never present.

Line endings are not content: a trailing ``\\r`` is ignored on both sides, so a CRLF file
is checked like any other and a file converted to LF still carries its fix. The patch's
files and hunks come from ``hotfix.domain.audit.hunks``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from hotfix.domain.audit.hunks import FilePatch, Hunk


class HunkState(Enum):
    APPLIED = "applied"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Presence(Enum):
    APPLIED = "applied"  # every hunk that can be told is applied
    PARTIAL = "partial"  # some applied, some absent
    ABSENT = "absent"  # every hunk that can be told is absent
    UNKNOWN = "unknown"  # none can be told


@dataclass(frozen=True)
class Tally:
    """How many hunks of a patch are applied, absent or unknown in one tree."""

    applied: int = 0
    absent: int = 0
    unknown: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.applied + other.applied, self.absent + other.absent,
                     self.unknown + other.unknown)

    @property
    def total(self) -> int:
        return self.applied + self.absent + self.unknown

    @property
    def decisive(self) -> bool:
        """More hunks told (applied or absent) than not: enough to stand without history."""
        return self.applied + self.absent > self.unknown

    @property
    def presence(self) -> Presence:
        if self.applied and self.absent:
            return Presence.PARTIAL
        if self.applied:
            return Presence.APPLIED
        return Presence.ABSENT if self.absent else Presence.UNKNOWN

    def to_dict(self) -> dict[str, int]:
        return {"applied": self.applied, "absent": self.absent, "unknown": self.unknown}


def tally_of(state: HunkState) -> Tally:
    return Tally(state is HunkState.APPLIED, state is HunkState.ABSENT,
                 state is HunkState.UNKNOWN)


class Text:
    """A file's lines (line endings dropped) with where each line occurs."""

    def __init__(self, text: str) -> None:
        # a "\r" ending a line is dropped: "\r\n" inside, and a last line's own
        lines = (text.replace("\r\n", "\n") if "\r" in text else text).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        elif lines:
            lines[-1] = lines[-1].removesuffix("\r")
        self.lines = tuple(lines)

    @cached_property
    def _at(self) -> dict[str, list[int]]:
        at: dict[str, list[int]] = {}
        for i, line in enumerate(self.lines):
            at.setdefault(line, []).append(i)
        return at

    def find(self, block: Sequence[str]) -> list[int]:
        """Where ``block`` starts, every time it occurs as consecutive lines."""
        n = len(block)
        if not n:
            return []
        wanted = tuple(block)
        return [i for i in self._at.get(block[0], ()) if self.lines[i:i + n] == wanted]


def hunk_state(hunk: Hunk, text: Text) -> HunkState:
    """Whether ``hunk`` is applied in ``text`` (see the module docstring)."""
    state = _images(hunk.new, hunk.old, text)
    if state is HunkState.UNKNOWN:
        state = _core(hunk, text)
    if state is HunkState.APPLIED and not hunk.added:
        return HunkState.UNKNOWN  # only removals: a tree that never had the lines looks alike
    return state


def _images(new: Sequence[str], old: Sequence[str], text: Text) -> HunkState:
    at_new, at_old = text.find(new), text.find(old)
    free_new = bool(_outside(at_new, len(new), at_old, len(old)))
    free_old = bool(_outside(at_old, len(old), at_new, len(new)))
    if not old:  # only added lines: nothing but the added lines can tell
        free_old = False
    elif not new:  # every line of the file removed: an empty file has it
        free_new = not text.lines
    if free_new != free_old:
        return HunkState.APPLIED if free_new else HunkState.ABSENT
    return HunkState.UNKNOWN


def _outside(starts: list[int], size: int, others: list[int], other_size: int) -> list[int]:
    """The occurrences in ``starts`` not lying inside an occurrence in ``others``."""
    return [s for s in starts
            if not any(o <= s and s + size <= o + other_size for o in others)]


def _core(hunk: Hunk, text: Text) -> HunkState:
    """The changed lines without their context, decided only by a block found once."""
    added = len(text.find(hunk.added)) if hunk.added else 0
    removed = len(text.find(hunk.removed)) if hunk.removed else 0
    if hunk.added and added == 1 and not removed:
        return HunkState.APPLIED
    if hunk.removed and removed == 1 and not added:
        return HunkState.ABSENT
    return HunkState.UNKNOWN


def file_tally(patch: FilePatch, text: Text | None, exists: bool) -> Tally:
    """The hunks of one file's patch against that file in a tree (``exists`` False: the
    tree has no such file; ``text`` None: it is binary or not UTF-8)."""
    if not patch.hunks:
        return Tally()
    if not exists:  # a deleted file's absence proves nothing: it may never have been there
        return _times(HunkState.ABSENT if patch.created else HunkState.UNKNOWN,
                      len(patch.hunks))
    if text is None:
        return _times(HunkState.UNKNOWN, len(patch.hunks))
    total = Tally()
    for hunk in patch.hunks:
        total += tally_of(hunk_state(hunk, text))
    return total


def _times(state: HunkState, n: int) -> Tally:
    one = tally_of(state)
    return Tally(one.applied * n, one.absent * n, one.unknown * n)


def tree_tally(patches: Sequence[FilePatch], files: Mapping[str, Text | None]) -> Tally:
    """Every file of a patch against a tree: ``files`` holds each path the tree has
    (None: unreadable); a path missing from it is not in the tree."""
    total = Tally()
    for patch in patches:
        total += file_tally(patch, files.get(patch.path), patch.path in files)
    return total
