"""Move a branch forward safely: compare-and-swap, a clean checkout's ``merge --ff-only`` (or
a merge commit, for a release landing on a line that moved on), push.

Nothing here ever rewrites history or touches a checkout with changes: a ref moves only by
a fast-forward, either with ``git update-ref <ref> <new> <old>`` (refused by git when the
ref is no longer ``old``) or, for a branch checked out in a clean worktree, with
``git merge --ff-only`` in that worktree so its files follow. A push is atomic (all the
refs or none) and never forced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.worktrees import listing

_IN_PROGRESS = ("rebase-merge/head-name", "rebase-apply/head-name", "BISECT_START")


def busy_with(root: Path, branch: str) -> Path | None:
    """A worktree in the middle of a rebase or bisect of ``branch`` (its HEAD is detached)."""
    for tree in listing(root):
        if tree.branch is not None or tree.prunable:
            continue
        gitdir = Path(cmd.out(["rev-parse", "--absolute-git-dir"], tree.path))
        for name in _IN_PROGRESS:
            file = gitdir / name
            if file.is_file() and file.read_text(encoding="utf-8").strip() in (
                    branch, f"refs/heads/{branch}"):
                return tree.path
    return None


def swap(root: Path, branch: str, new: str, old: str) -> bool:
    """Point ``branch`` at ``new`` if it still is ``old`` (atomic); False when it moved."""
    reason = f"hotfix: fast-forward {branch}"
    proc = cmd.run(["update-ref", "-m", reason, f"refs/heads/{branch}", new, old], root,
                   check=False)
    return proc.returncode == 0


def fast_forward(tree: Path, rev: str) -> str | None:
    """``git merge --ff-only rev`` in ``tree``; None when done, else git's reason."""
    proc = cmd.run(["merge", "--ff-only", "--no-stat", "--end-of-options", rev], tree,
                   check=False)
    return None if proc.returncode == 0 else (proc.stderr.strip() or proc.stdout.strip())


def merge(tree: Path, rev: str, message: str) -> tuple[str | None, list[str]]:
    """``git merge --no-ff rev`` in ``tree`` (its hooks run): (None, []) when done, else
    (git's reason, the conflicted files), with the merge aborted so ``tree`` is as before."""
    proc = cmd.run(["merge", "--no-ff", "--no-stat", "-m", message, "--end-of-options", rev],
                   tree, check=False)
    if proc.returncode == 0:
        return None, []
    files = cmd.split_z(cmd.run(["diff", "--name-only", "--diff-filter=U", "-z"], tree,
                                check=False).stdout)
    cmd.run(["merge", "--abort"], tree, check=False)
    return (proc.stderr.strip() or proc.stdout.strip()), files


def push_atomic(root: Path, remote: str, refspecs: Sequence[str]) -> str | None:
    """Push ``refspecs`` to ``remote`` all or none (never forced); None when done, else
    git's reason."""
    proc = cmd.run(["push", "--atomic", "--porcelain", remote, *refspecs], root, check=False)
    return None if proc.returncode == 0 else (proc.stderr.strip() or proc.stdout.strip())
