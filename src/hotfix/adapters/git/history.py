"""Reading commits: subjects, bodies (with their trailers) and changed files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.ports import Commit

_FORMAT = "--format=%H%x1f%s%x1f%B"


def commits(root: Path, rev_range: str, *, extra: Sequence[str] = ()) -> list[Commit]:
    """Commits in ``rev_range``, oldest first (``extra``: more ``git log`` options)."""
    text = cmd.out(["log", "--reverse", "-z", _FORMAT, *extra, "--end-of-options", rev_range,
                    "--"], root)
    return [_commit(record) for record in cmd.split_z(text)]


def one(root: Path, rev: str) -> Commit:
    """The commit ``rev`` names (a sha, or ``HEAD`` of the work tree ``root``)."""
    return _commit(cmd.out(["log", "-1", _FORMAT, "--end-of-options", rev, "--"], root))


def _commit(record: str) -> Commit:
    sha, subject, body = record.split("\x1f", 2)
    return Commit(sha.strip(), subject, body)


def changed_files(root: Path, sha: str) -> list[str]:
    text = cmd.out(["diff-tree", "--no-commit-id", "-r", "--name-only", "-z", "-m",
                    "--first-parent", "--root", "--end-of-options", sha], root)
    return sorted(set(cmd.split_z(text)))
