"""Refs: tags, branches, remotes, and names git accepts for them."""

from __future__ import annotations

import re
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.revs import commit_of
from hotfix.errors import GitError, UsageError

RESERVED = "refs/hotfix/reserved/"  # see reservations.py
_PLAIN_REF = re.compile(r"[\w./+-]+")  # a ref name, not a revision (no ~, ^, :, @{…})


def tags(root: Path) -> dict[str, str]:
    """Every local tag → the commit it points at (annotated tags peeled)."""
    text = cmd.out(["for-each-ref", "refs/tags",
                    "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)"], root)
    found: dict[str, str] = {}
    for row in text.splitlines():
        name, obj, peeled = row.split("\0")
        found[name] = peeled or obj
    return found


def tag_dates(root: Path) -> dict[str, int]:
    """Every local tag → its creation time (tagger date; a lightweight tag: its commit's)."""
    text = cmd.out(["for-each-ref", "refs/tags",
                    "--format=%(refname:strip=2)%00%(creatordate:unix)"], root)
    found: dict[str, int] = {}
    for row in text.splitlines():
        name, _, when = row.partition("\0")
        found[name] = int(when) if when.strip().isdigit() else 0
    return found


def default_branch(root: Path, remote: str) -> str | None:
    """The branch ``refs/remotes/<remote>/HEAD`` points at, None when it is not set."""
    proc = cmd.run(["symbolic-ref", "-q", f"refs/remotes/{remote}/HEAD"], root, check=False)
    ref = proc.stdout.strip()
    prefix = f"refs/remotes/{remote}/"
    return ref.removeprefix(prefix) if proc.returncode == 0 and ref.startswith(prefix) else None


def branches(root: Path) -> list[str]:
    """Local branches (``release/1.1``) and remote-tracking ones (``remotes/origin/…``)."""
    text = cmd.out(["for-each-ref", "refs/heads", "refs/remotes",
                    "--format=%(refname)%00%(symref)"], root)
    names = []
    for row in text.splitlines():
        ref, symref = row.split("\0")
        if not symref:
            names.append(ref.removeprefix("refs/heads/").removeprefix("refs/"))
    return names


def has_remote(root: Path, remote: str) -> bool:
    return remote in cmd.out(["remote"], root).split()


def remote_refs(root: Path, remote: str) -> list[str]:
    """Tag names and ``hotfix/`` branch names on ``remote`` (``git ls-remote``); a reserved
    version counts as its ``hotfix/`` branch."""
    proc = cmd.run(["ls-remote", "--refs", remote, "refs/tags/*", "refs/heads/hotfix/*",
                    f"{RESERVED}*"], root, check=False)
    if proc.returncode != 0:
        raise GitError(
            f"could not list the tags of remote {remote!r}: {proc.stderr.strip()}",
            hint="check the network and `git remote -v`, or skip the remote check with "
                 "HOTFIX settings lines.check_remote_tags = false",
        )
    refs = [line.split("\t", 1)[1] for line in proc.stdout.splitlines() if "\t" in line]
    return [r.removeprefix("refs/tags/").removeprefix("refs/heads/").replace(RESERVED, "hotfix/")
            for r in refs]


def branch_exists(root: Path, branch: str) -> bool:
    return commit_of(root, f"refs/heads/{branch}") is not None


def tag_commit(root: Path, tag: str) -> str | None:
    return commit_of(root, f"refs/tags/{tag}")


def kind_of(root: Path, name: str) -> str:
    """What ``name`` is here: ``"local"`` branch, ``"remote"``-tracking branch, or ``"tag"``."""
    for kind, prefix in (("local", "refs/heads/"), ("remote", "refs/remotes/")):
        if cmd.run(["show-ref", "--verify", "--quiet", prefix + name], root,
                   check=False).returncode == 0:
            return kind
    return "tag"


def is_shallow(root: Path) -> bool:
    return cmd.out(["rev-parse", "--is-shallow-repository"], root) == "true"


def require_full_history(root: Path) -> None:
    if is_shallow(root):
        raise UsageError(
            "this clone is shallow: release tags and history may be missing, so versions and "
            "lines cannot be trusted",
            hint="deepen it first: git fetch --unshallow --tags",
        )


def check_ref_name(root: Path, name: str, kind: str = "branch") -> None:
    """UsageError when git would refuse ``name`` as a branch or tag name."""
    full = f"refs/heads/{name}" if kind == "branch" else f"refs/tags/{name}"
    refused = cmd.run(["check-ref-format", full], root, check=False).returncode != 0
    if refused or name.startswith("-"):
        raise UsageError(
            f"{name!r} is not a valid git {kind} name",
            hint="use letters, digits, '.', '-', '_' and '/'; no spaces, '..', '~', '^', ':', "
                 "'?', '*', '[' or a trailing '.lock' (see `git help check-ref-format`)",
        )


class Snapshot:
    """Every ref of the repository as ONE ``git for-each-ref`` saw it: its tags, their dates,
    the branches, where a remote's ``HEAD`` points, and the commit of each ref — answered as
    ``tags``, ``tag_dates``, ``branches``, ``default_branch`` and ``commit_of`` would, with
    no further process (``Git.frozen_refs``, for commands that move no ref)."""

    _FORMAT = ("--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)"
               "%00%(*objectname)%00%(symref)%00%(creatordate:unix)")

    def __init__(self, root: Path) -> None:
        text = cmd.out(["for-each-ref", self._FORMAT, "refs/heads", "refs/remotes",
                        "refs/tags"], root)
        self.commits: dict[str, str | None] = {}  # ref -> its commit (None: not a commit)
        self.symrefs: dict[str, str] = {}
        self.tags: dict[str, str] = {}  # as ``tags``: the commit, or what the tag names
        self.tag_dates: dict[str, int] = {}
        self.branches: list[str] = []
        for row in text.splitlines():
            ref, kind, obj, peeled_kind, peeled, symref, when = row.split("\0")
            self.commits[ref] = obj if kind == "commit" else \
                peeled if kind == "tag" and peeled_kind == "commit" else None
            if symref:
                self.symrefs[ref] = symref
            elif ref.startswith(("refs/heads/", "refs/remotes/")):
                self.branches.append(ref.removeprefix("refs/heads/").removeprefix("refs/"))
            if ref.startswith("refs/tags/"):
                name = ref.removeprefix("refs/tags/")
                self.tags[name] = peeled or obj
                self.tag_dates[name] = int(when) if when.strip().isdigit() else 0
        for ref, target in self.symrefs.items():
            self.commits[ref] = self.commits.get(target)

    def default_branch(self, remote: str) -> str | None:
        prefix = f"refs/remotes/{remote}/"
        target = self.symrefs.get(f"{prefix}HEAD", "")
        return target.removeprefix(prefix) if target.startswith(prefix) else None

    def ref_commit(self, rev: str) -> tuple[bool, str | None]:
        """(known, commit): the commit of the ref ``rev`` names as git's rules read it
        (``rev``, ``refs/rev``, ``refs/tags/rev``, ``refs/heads/rev``, ``refs/remotes/rev``,
        ``refs/remotes/rev/HEAD``); known False when no ref has that name (a sha, ``HEAD``,
        ``main~2``: ask git) or it names something else than a commit. A full branch, remote
        or tag ref name that is not there is known: it names no commit."""
        for ref in (rev, f"refs/{rev}", f"refs/tags/{rev}", f"refs/heads/{rev}",
                    f"refs/remotes/{rev}", f"refs/remotes/{rev}/HEAD"):
            if ref in self.commits:
                commit = self.commits[ref]
                return (commit is not None, commit)
        absent = rev.startswith(("refs/heads/", "refs/remotes/", "refs/tags/")) \
            and _PLAIN_REF.fullmatch(rev) is not None
        return (absent, None)
