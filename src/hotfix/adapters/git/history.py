"""Reading commits: subjects, trailers, changed files, and which fixes a branch already has."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hotfix.adapters.git import cmd

_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,64})\)")
_BACKPORT = re.compile(r"^Backport-Of:\s*([0-9a-f]{7,64})\s*$", re.M)


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    body: str

    def sources(self) -> set[str]:
        """The commits this one says it was picked or backported from."""
        return set(_PICKED.findall(self.body)) | set(_BACKPORT.findall(self.body))


def commits(root: Path, rev_range: str, *, first_parent: bool = False,
            extra: list[str] | None = None) -> list[Commit]:
    """Commits in ``rev_range``, oldest first (``extra``: more ``git log`` options)."""
    args = ["log", "--reverse", "-z", "--format=%H%x1f%s%x1f%B", *(extra or [])]
    args += ["--first-parent"] if first_parent else []
    text = cmd.out([*args, rev_range, "--"], root)
    out = []
    for record in cmd.split_z(text):
        sha, subject, body = record.split("\x1f", 2)
        out.append(Commit(sha.strip(), subject, body))
    return out


def one(root: Path, sha: str) -> Commit:
    sha_, subject, body = cmd.out(["log", "-1", "--format=%H%x1f%s%x1f%B", sha], root).split(
        "\x1f", 2)
    return Commit(sha_, subject, body)


def changed_files(root: Path, sha: str) -> list[str]:
    text = cmd.out(["diff-tree", "--no-commit-id", "-r", "--name-only", "-z", "-m",
                    "--first-parent", "--root", sha], root)
    return sorted(set(cmd.split_z(text)))


def source_of(commit: Commit) -> str:
    """The original fix a commit came from (its ``-x`` line), else itself."""
    found = _PICKED.findall(commit.body)
    return found[-1] if found else commit.sha


def patch_ids(root: Path, rev_range: str) -> dict[str, str]:
    """patch-id → commit for the non-merge commits of ``rev_range`` (``git patch-id --stable``)."""
    diff = cmd.out(["log", "--no-merges", "-p", "--format=commit %H", rev_range, "--"], root)
    if not diff:
        return {}
    text = cmd.run(["patch-id", "--stable"], root, input=diff + "\n").stdout
    rows = [line.split() for line in text.splitlines() if line.strip()]
    return {row[0]: row[1] for row in rows}


def patch_id(root: Path, sha: str) -> str | None:
    diff = cmd.out(["show", "--format=commit %H", "-p", sha, "--"], root)
    text = cmd.run(["patch-id", "--stable"], root, input=diff + "\n").stdout.split()
    return text[0] if text else None
