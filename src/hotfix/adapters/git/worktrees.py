"""Dedicated worktrees under ``<repo>/.hotfix/worktrees/``: the user's checkout is never used.

Every hotfix branch lives in its own linked worktree, so the user's own checkout (dirty or
not, on any branch, detached or not) and their stash are never touched. Checks and coverage
recordings run in throw-away detached worktrees (``detached``) at one commit; each has an
owner file (``<sha12>.owner``: the pid using it), and one whose owner no longer runs was
left by a killed check: the next ``detached`` of that purpose removes it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.exclude import ensure_excluded
from hotfix.adapters.git.repository import STATE_DIR
from hotfix.adapters.pids import alive, read_owner
from hotfix.errors import ConflictError, NotFound
from hotfix.ports import Worktree

WORKTREES = Path(STATE_DIR) / "worktrees"


def listing(root: Path) -> list[Worktree]:
    text = cmd.run(["worktree", "list", "--porcelain", "-z"], root).stdout
    found: list[Worktree] = []
    for block in text.split("\0\0"):
        fields = dict(_field(item) for item in block.split("\0") if item)
        if "worktree" in fields:
            branch = fields.get("branch")
            found.append(Worktree(
                Path(fields["worktree"]), fields.get("HEAD"),
                branch.removeprefix("refs/heads/") if branch else None,
                "prunable" in fields or not Path(fields["worktree"]).is_dir()))
    return found


def _field(item: str) -> tuple[str, str]:
    key, _, value = item.partition(" ")
    return key, value


def path_for(root: Path, name: str) -> Path:
    return root / WORKTREES / name


def of_branch(root: Path, branch: str) -> Worktree | None:
    return next((w for w in listing(root) if w.branch == branch), None)


def add(root: Path, path: Path, branch: str, start: str | None) -> None:
    """A worktree at ``path`` on ``branch``; the branch is created at ``start`` if given."""
    ensure_excluded(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    if start is None:
        cmd.run(["worktree", "add", str(path), branch], root)
    else:
        cmd.run(["worktree", "add", "--no-track", "-b", branch, str(path), start], root)


def repair(root: Path, path: Path, branch: str) -> None:
    """Recreate a worktree deleted by hand (its branch, with every commit, is still there)."""
    cmd.run(["worktree", "prune"], root)
    add(root, path, branch, None)


def remove(root: Path, path: Path) -> None:
    cmd.run(["worktree", "remove", "--force", str(path)], root, check=False)
    cmd.run(["worktree", "prune"], root)


def of_hotfix(root: Path, key: str) -> list[Worktree]:
    """The hotfix's own worktree (``HF-N``) and its backport worktrees (``HF-N-<target>``)."""
    home = (root / WORKTREES).resolve()
    return [w for w in listing(root) if w.path.resolve().parent == home
            and (w.path.name == key or w.path.name.startswith(f"{key}-"))]


def require(root: Path, path: Path, branch: str, key: str) -> Path:
    """The worktree's path; a clear error when it was deleted or moved by hand."""
    if _checked_out(path) == branch:
        return path
    tree = of_branch(root, branch)
    if tree is not None and not tree.prunable and tree.path.resolve() == path.resolve():
        return path
    raise NotFound(
        f"the worktree of {key} ({path}) is missing: it was deleted or moved by hand",
        hint=f"recreate it from its branch {branch} (no commit is lost): hotfix resume {key}",
    )


def _checked_out(path: Path) -> str | None:
    """The branch a linked worktree has checked out, read from its files (no git process)."""
    try:
        pointer = (path / ".git").read_text(encoding="utf-8").strip()
        gitdir = Path(pointer.removeprefix("gitdir: "))
        head = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    return head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") else None


@contextmanager
def detached(home: Path, commit: str, purpose: str) -> Iterator[Path]:
    """``<repo>/.hotfix/<purpose>/<sha12>``, checked out at ``commit``, removed afterwards."""
    path = home / STATE_DIR / purpose / commit[:12]
    owner = _owner_file(path)
    sweep(home, path.parent)
    if path.exists():
        raise ConflictError(f"another {purpose} of {commit[:12]} is running "
                            f"(pid {read_owner(owner)}, in {path})",
                            hint="wait for it to finish, then run the command again")
    ensure_excluded(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    owner.write_text(f"{os.getpid()}\n", encoding="ascii")
    try:
        cmd.run(["worktree", "add", "--detach", "--force", str(path), commit], home)
        yield path
    finally:
        _remove_detached(home, path)
        owner.unlink(missing_ok=True)


def sweep(home: Path, folder: Path) -> list[Path]:
    """Remove the throw-away worktrees in ``folder`` whose owner no longer runs."""
    stale = [p for p in folder.glob("*") if p.is_dir() and not _owned(p)]
    for path in stale:
        _remove_detached(home, path)
        _owner_file(path).unlink(missing_ok=True)
    return stale


def _owner_file(path: Path) -> Path:
    return path.with_name(f"{path.name}.owner")


def _owned(path: Path) -> bool:
    pid = read_owner(_owner_file(path))
    return pid is not None and alive(pid)


def _remove_detached(home: Path, path: Path) -> None:
    if path.exists():
        cmd.run(["worktree", "remove", "--force", "--force", str(path)], home, check=False)
        shutil.rmtree(path, ignore_errors=True)
    cmd.run(["worktree", "prune"], home, check=False)
