"""Revisions → commits: the one resolver, and what is asked of commits by their names.

Every name a person or a config gives (a sha, a tag, ``main``, ``HEAD~2``) is resolved
here, after ``--end-of-options``: a name that looks like an option (``--output=x``) is
refused as a revision, never run as an option of git.
"""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.errors import GitError, NotFound

FETCH_HINT = "check the sha with `git log --oneline --all | grep {short}`, or fetch it first: " \
             "git fetch --all"


def commit_of(root: Path, rev: str) -> str | None:
    """The full sha of the commit ``rev`` names, or None (also for a tree or blob)."""
    proc = cmd.run(["rev-parse", "--verify", "--quiet", "--end-of-options",
                    f"{rev}^{{commit}}"], root, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def require_commit(root: Path, rev: str, hint: str | None = None) -> str:
    """The full sha of the commit ``rev`` names; ``NotFound`` (with ``hint``) otherwise."""
    sha = commit_of(root, rev)
    if sha is None:
        raise not_a_commit(rev, hint)
    return sha


def not_a_commit(rev: str, hint: str | None = None) -> NotFound:
    return NotFound(f"{rev!r} is not a commit in this repository",
                    hint=hint or FETCH_HINT.format(short=rev[:7]))


def lookup(root: Path, rev: str) -> tuple[str, list[str], str]:
    """(sha, parents, message) of the commit ``rev`` names, in one git call."""
    proc = cmd.run(["log", "-1", "--no-walk", "--format=%H%x1f%P%x1f%B", "--end-of-options",
                    f"{rev}^{{commit}}", "--"], root, check=False)
    if proc.returncode != 0 or ".." in rev or not proc.stdout.strip():
        raise not_a_commit(rev)
    sha, parent_list, message = proc.stdout.split("\x1f", 2)
    return sha.strip(), parent_list.split(), message.rstrip("\n")


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    proc = cmd.run(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant],
                   root, check=False)
    return proc.returncode == 0


def merge_base(root: Path, *revs: str) -> str | None:
    """The best common ancestor of ``revs`` (octopus for more than two), None if unrelated."""
    args = ["merge-base", *(["--octopus"] if len(revs) > 2 else []), "--end-of-options", *revs]
    proc = cmd.run(args, root, check=False)
    if proc.returncode == 1 and not proc.stdout.strip():
        return None
    if proc.returncode != 0:
        raise GitError(f"`git {' '.join(args)}` failed: {proc.stderr.strip()}")
    return proc.stdout.split()[0]


def nearest_tag(root: Path, rev: str) -> str | None:
    """The newest tag reachable from ``rev`` (``git describe --tags``), None when none is."""
    proc = cmd.run(["describe", "--tags", "--abbrev=0", "--end-of-options", rev], root,
                   check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None
