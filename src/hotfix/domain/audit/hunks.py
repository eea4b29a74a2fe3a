"""A patch as files and hunks: what ``git diff-tree -p`` prints, parsed (renames off).

Each hunk keeps its pre-image (context and removed lines), its post-image (context and
added lines) and the changed lines alone, without line endings (a trailing ``\\r`` is
dropped: a CRLF file's patch reads like any other). Release bookkeeping is not the fix:
``code_files`` leaves out release files and the news fragments a release compiles away.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hotfix.domain.audit.release_files import ReleaseFiles

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
# where towncrier-style news fragments live (a release compiles and deletes them)
_FRAGMENT_DIRS = frozenset({"changelog", "changelog.d", "changes", "news", "newsfragments",
                            "changes.d", "release-notes", "releasenotes"})
# …and their names: 1234.bugfix.rst, +HF-1-1a2b3c.bugfix, 1234.feature.md (not feed.py)
_FRAGMENT_NAME = re.compile(r"\.(?:rst|md|txt|feature|bugfix|doc|removal|misc|breaking"
                            r"|deprecation|trivial|contrib|packaging|improvement|vendor)"
                            r"(?:\.\d+)?$", re.I)
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


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


def code_files(patch: Sequence[FilePatch], release: ReleaseFiles) -> tuple[FilePatch, ...]:
    """The files of ``patch`` that are the fix, not release bookkeeping: release files
    (``audit.release_only_globs``) and created news fragments are left out."""
    return tuple(f for f in patch
                 if not release.is_release_file(f.path) and not (f.created and _fragment(f.path)))


def _fragment(path: str) -> bool:
    *dirs, name = path.lower().split("/")
    return any(part in _FRAGMENT_DIRS for part in dirs) and bool(_FRAGMENT_NAME.search(name))


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
