"""What a work tree holds that is not committed: one ``git status`` reader, named meanings.

- ``uncommitted``: tracked files with changes, staged or not (untracked files do not
  count): what a commit made there would take along, and what a check of HEAD did not test;
- ``local_changes``: that and untracked files: what a fast-forward must not walk over and
  removing the worktree would lose;
- ``has_staged``: the index differs from HEAD (a pick or a resolution left something to
  commit); ``unmerged``: files still in conflict.

Both lists come from ``git status --porcelain=v1 -z`` (renames give their new path), with
untracked files asked for explicitly, whatever ``status.showUntrackedFiles`` says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotfix.adapters.git import cmd

UNTRACKED = "??"


@dataclass(frozen=True)
class Entry:
    """One line of ``git status --porcelain``: ``XY`` (index, work tree) and the path."""

    code: str
    path: str

    @property
    def untracked(self) -> bool:
        return self.code == UNTRACKED


def parse(text: str) -> list[Entry]:
    """Parse ``git status --porcelain=v1 -z``; a rename or copy's source path is skipped."""
    fields = iter(cmd.split_z(text))
    found = []
    for field in fields:
        code = field[:2]
        found.append(Entry(code, field[3:]))
        if "R" in code or "C" in code:
            next(fields, None)  # the source path follows the new one
    return found


def read(tree: Path, *, untracked: bool) -> list[Entry]:
    mode = "--untracked-files=normal" if untracked else "--untracked-files=no"
    return parse(cmd.run(["status", "--porcelain=v1", "-z", mode], tree).stdout)


def uncommitted(tree: Path) -> list[str]:
    """Tracked files with staged or unstaged changes in ``tree`` (untracked ones do not count)."""
    return [e.path for e in read(tree, untracked=False)]


def local_changes(tree: Path) -> list[str]:
    """Everything ``git status`` shows in ``tree``: changed tracked files and untracked ones."""
    return [e.path for e in read(tree, untracked=True)]


def has_staged(tree: Path) -> bool:
    """The index of ``tree`` differs from its HEAD."""
    return cmd.run(["diff", "--cached", "--quiet"], tree, check=False).returncode != 0


def unmerged(tree: Path) -> list[str]:
    """Files of ``tree`` still in conflict, sorted."""
    text = cmd.run(["diff", "--name-only", "--diff-filter=U", "-z"], tree).stdout
    return sorted(set(cmd.split_z(text)))
