"""A throw-away, detached git worktree at one commit: where checks and recordings run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotfix.adapters.git import cmd


@contextmanager
def detached(home: Path, commit: str, purpose: str) -> Iterator[Path]:
    """``<repo>/.hotfix/<purpose>/<sha12>``, checked out at ``commit``, removed afterwards."""
    path = home / ".hotfix" / purpose / commit[:12]
    _remove(home, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd.run(["worktree", "add", "--detach", "--force", str(path), commit], home)
    try:
        yield path
    finally:
        _remove(home, path)


def _remove(home: Path, path: Path) -> None:
    if path.exists():
        cmd.run(["worktree", "remove", "--force", "--force", str(path)], home, check=False)
        shutil.rmtree(path, ignore_errors=True)
    cmd.run(["worktree", "prune"], home, check=False)


def dirty_files(path: Path) -> list[str]:
    """Uncommitted changes in a work tree (they are not what a check tests)."""
    status = cmd.out(["status", "--porcelain", "-z", "--untracked-files=no"], path)
    return [entry[3:] for entry in cmd.split_z(status) if len(entry) > 3]
