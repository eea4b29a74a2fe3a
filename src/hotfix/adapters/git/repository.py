"""Where a repository is: the top of a work tree, the main work tree, git's own files."""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.errors import NotFound


def repo_root(path: Path) -> Path:
    """The top of the work tree containing ``path``; a clear error outside a repository.

    Inside one of hotfix's own worktrees (``<checkout>/.hotfix/worktrees/HF-1``, where a
    conflict hint sends you) it is the checkout they belong to, so hotfix finds that
    checkout's settings and records instead of opening an empty database there."""
    proc = cmd.run(["rev-parse", "--show-toplevel"], path, check=False)
    if proc.returncode != 0:
        raise NotFound(
            f"{path} is not inside a git repository",
            hint="cd into your project's checkout, or run `git init` first",
        )
    return _owner(Path(proc.stdout.strip()))


STATE_DIR = ".hotfix"  # hotfix's folder in a checkout (adapters/git/exclude.py keeps it out)


def _owner(top: Path) -> Path:
    """``top``, or the checkout whose ``.hotfix/`` holds the worktree ``top``."""
    parts = top.parts
    if STATE_DIR not in parts:
        return top
    home = Path(*parts[:len(parts) - 1 - parts[::-1].index(STATE_DIR)])
    common = cmd.run(["rev-parse", "--path-format=absolute", "--git-common-dir"], top,
                     check=False).stdout.strip()
    return home if common and Path(common) == home / ".git" else top


def repo_home(path: Path) -> Path:
    """The main work tree of the repository at ``path`` (the same from every linked worktree)."""
    common = Path(cmd.out(["rev-parse", "--path-format=absolute", "--git-common-dir"], path))
    return common.parent if common.name == ".git" else repo_root(path)


def git_path(root: Path, name: str) -> Path:
    """Where git keeps ``name`` (``info/exclude``, …) for the repository at ``root``."""
    dot_git = root / ".git"
    if dot_git.is_dir():  # the main work tree: no git process needed
        return dot_git / name
    return Path(cmd.out(["rev-parse", "--path-format=absolute", "--git-path", name], root))


def config_value(key: str, cwd: Path) -> str | None:
    """``git config --get key`` as the repository at ``cwd`` sees it; None when unset."""
    proc = cmd.run(["config", "--get", key], cwd, check=False)
    return proc.stdout.strip() or None if proc.returncode == 0 else None
