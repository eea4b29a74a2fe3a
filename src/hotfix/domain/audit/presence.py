"""Is a patch applied in a tree? Hunk by hunk, from the file's text at that tree.

A hunk is *applied* when its post-image (context and added lines) is in the file and its
pre-image (context and removed lines) is not; *absent* when the pre-image is there and the
post-image is not; *unknown* when neither or both are (the code moved on since, or the
change is too small to tell) — what ``git apply --check --reverse`` and ``git apply
--check`` would say, without an index. An occurrence that lies inside an occurrence of the
other image does not count (a hunk that only appends lines has its pre-image inside its
post-image). When the images with their context say nothing, the changed lines alone are
tried, but only a block found exactly once decides: a pick whose conflict was resolved
another way keeps the old lines under a changed context.

Line endings are not content: a trailing ``\\r`` is ignored on both sides, so a CRLF file
is checked like any other and a file converted to LF still carries its fix. Release
bookkeeping is not the fix: a changelog entry, or a news fragment the release compiled and
removed (``changelog/1234.bugfix.rst``), is never looked for (``code_files``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from hotfix.domain.audit.release_files import ReleaseFiles

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
# where towncrier-style news fragments live (a release compiles and deletes them)
_FRAGMENT_DIRS = frozenset({"changelog", "changelog.d", "changes", "news", "newsfragments",
                            "changes.d", "release-notes", "releasenotes"})
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


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
class Hunk:
    old: tuple[str, ...]  # the pre-image: context and removed lines, in order
    new: tuple[str, ...]  # the post-image: context and added lines
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilePatch:
    path: str
    hunks: tuple[Hunk, ...]
    created: bool = False
    deleted: bool = False


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
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        self.lines = tuple(line.removesuffix("\r") for line in lines)

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
        return [i for i in self._at.get(block[0], ())
                if self.lines[i:i + n] == tuple(block)]


def hunk_state(hunk: Hunk, text: Text) -> HunkState:
    """Whether ``hunk`` is applied in ``text`` (see the module docstring)."""
    state = _images(hunk.new, hunk.old, text)
    if state is HunkState.UNKNOWN:
        state = _core(hunk, text)
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
    if not exists:
        state = HunkState.APPLIED if patch.deleted else (
            HunkState.ABSENT if patch.created else HunkState.UNKNOWN)
        return _times(state, len(patch.hunks))
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


def code_files(patch: Sequence[FilePatch], release: ReleaseFiles) -> tuple[FilePatch, ...]:
    """The files of ``patch`` that are the fix, not release bookkeeping: release files
    (``audit.release_only_globs``) and created news fragments are left out."""
    return tuple(f for f in patch
                 if not release.is_release_file(f.path) and not (f.created and _fragment(f.path)))


def _fragment(path: str) -> bool:
    parts = path.lower().split("/")
    return any(part in _FRAGMENT_DIRS for part in parts[:-1])


def parse_patch(text: str) -> tuple[FilePatch, ...]:
    """The files and hunks of a ``git diff`` / ``diff-tree -p`` patch (renames off)."""
    files: list[FilePatch] = []
    for chunk in _split_files(text.split("\n")):
        parsed = _parse_file(chunk)
        if parsed is not None:
            files.append(parsed)
    return tuple(files)


def _split_files(lines: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    for line in lines:
        if line.startswith("diff --git "):
            chunks.append([])
        if chunks:
            chunks[-1].append(line)
    return chunks


def _parse_file(lines: list[str]) -> FilePatch | None:
    old_path = new_path = None
    hunks: list[Hunk] = []
    current: list[str] | None = None
    for line in lines[1:]:
        if current is None and line.startswith("--- "):
            old_path = _path(line[4:])
        elif current is None and line.startswith("+++ "):
            new_path = _path(line[4:])
        elif _HUNK.match(line):
            if current is not None:
                hunks.append(_hunk(current))
            current = []
        elif current is not None:
            current.append(line)
    if current is not None:
        hunks.append(_hunk(current))
    path = new_path or old_path
    if path is None:
        return None  # binary, mode-only or empty: nothing to look for in a tree
    return FilePatch(path, tuple(hunks), created=old_path is None, deleted=new_path is None)


def _hunk(body: list[str]) -> Hunk:
    old: list[str] = []
    new: list[str] = []
    removed: list[str] = []
    added: list[str] = []
    for raw in body:
        if not raw or raw[0] not in " +-":
            continue  # "\ No newline at end of file", the blank line git ends with
        line = raw[1:].removesuffix("\r")
        if raw[0] == "-":
            removed.append(line)
        elif raw[0] == "+":
            added.append(line)
        if raw[0] != "+":
            old.append(line)
        if raw[0] != "-":
            new.append(line)
    return Hunk(tuple(old), tuple(new), tuple(removed), tuple(added))


def _path(spec: str) -> str | None:
    """``a/x.py`` → ``x.py``; ``/dev/null`` → None; a C-quoted name unquoted."""
    spec = spec.rstrip("\t")
    if spec == "/dev/null":
        return None
    if spec.startswith('"') and spec.endswith('"'):
        spec = _unquote(spec[1:-1])
    return spec.split("/", 1)[1] if "/" in spec else spec


def _unquote(text: str) -> str:
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in "01234567" and i + 3 < len(text):
                out.append(int(text[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        out.extend(char.encode("utf-8"))
        i += 1
    return out.decode("utf-8", "replace")
