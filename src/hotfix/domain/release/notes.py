"""Release notes of a line: one entry per fix, never twice.

Each entry names the hotfix and the fix's original commit, ``- Subject (HF-3, 1a2b3c4d5e6f)``;
that pair is the entry's identity. Adding notes for a release that already lists a fix (a
re-run, a resumed release, a changelog merged from another line) adds nothing for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

HEADER = "# Changelog"
SHORT = 12


@dataclass(frozen=True)
class NoteEntry:
    key: str  # "HF-3"
    subject: str  # the fix commit's subject
    source: str  # the original fix commit (full or abbreviated sha)

    def identity(self) -> str:
        return f"({self.key}, {self.source[:SHORT]})"

    def render(self) -> str:
        return f"- {self.subject} {self.identity()}"


def present(text: str, entry: NoteEntry) -> bool:
    return entry.identity() in text


def add_release(text: str, tag: str, day: str, title: str,
                entries: Iterable[NoteEntry]) -> tuple[str, list[NoteEntry]]:
    """``text`` with the entries not yet listed added under ``## tag``; and those added."""
    fresh = _unique(e for e in entries if not present(text, e))
    if not fresh:
        return text, []
    lines = text.splitlines() if text.strip() else [HEADER, ""]
    rendered = [e.render() for e in fresh]
    at = _section_end(lines, tag)
    if at is None:
        at = _first_section(lines)
        block = [f"## {tag} — {day}", "", f"{title}", "", *rendered, ""]
    else:
        block = rendered
    lines[at:at] = block
    return "\n".join(lines).rstrip("\n") + "\n", fresh


def _unique(entries: Iterable[NoteEntry]) -> list[NoteEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.identity() not in seen:
            seen.add(entry.identity())
            out.append(entry)
    return out


def _heading(line: str) -> str | None:
    match = re.match(r"^##\s+(\S+)", line)
    return match.group(1) if match else None


def _first_section(lines: list[str]) -> int:
    """Where a new section goes: before the first ``## `` heading, else at the end."""
    for index, line in enumerate(lines):
        if _heading(line) is not None:
            return index
    if lines and lines[-1].strip():
        lines.append("")
    return len(lines)


def _section_end(lines: list[str], tag: str) -> int | None:
    """The index just after the last entry of the ``## tag`` section, if there is one."""
    start = next((i for i, line in enumerate(lines) if _heading(line) == tag), None)
    if start is None:
        return None
    end = start + 1
    for index in range(start + 1, len(lines)):
        if _heading(lines[index]) is not None:
            break
        if lines[index].startswith("- "):
            end = index + 1
    return end
