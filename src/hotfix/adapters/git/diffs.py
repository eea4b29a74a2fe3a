"""The diff between two commits: changed files with their hunks (what the checks read)."""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.domain.checks.diffs import FileChange, combine, parse_name_status, parse_patch

_DIFF = ["-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "-M", "--no-textconv"]


def diff(root: Path, base: str, head: str) -> list[FileChange]:
    """The files changed from ``base`` to ``head``, with their hunks."""
    statuses = parse_name_status(cmd.out([*_DIFF, "--name-status", "-z", *_revs(base, head)],
                                         root))
    patches = parse_patch(cmd.run([*_DIFF, "-U0", *_revs(base, head)], root).stdout)
    return combine(statuses, patches)


def changed_paths(root: Path, base: str, head: str) -> list[str]:
    return cmd.split_z(cmd.out([*_DIFF, "--name-only", "-z", *_revs(base, head)], root))


def _revs(base: str, head: str) -> list[str]:
    return ["--end-of-options", base, head, "--"]
