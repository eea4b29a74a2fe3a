"""Git: a ``GitRepo`` is one repository, bound to its root: what services ask of git, grouped
by git concept (revisions, refs, history, content, worktrees and their status, picking,
releasing). The real one is ``hotfix.adapters.git.repo.Git``; services get it as ``ctx.git``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.release.notes import NoteEntry

_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,64})\)")
_BACKPORT = re.compile(r"^Backport-Of:\s*([0-9a-f]{7,64})\s*$", re.M)

RawCommit = tuple[str, tuple[str, ...]]  # (message, touched files)


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    body: str

    def sources(self) -> set[str]:
        """The commits this one says it was picked or backported from."""
        return set(_PICKED.findall(self.body)) | set(_BACKPORT.findall(self.body))

    def origin(self) -> str:
        """The original fix this commit came from (its last ``-x`` line), else itself."""
        found = _PICKED.findall(self.body)
        return found[-1] if found else self.sha


@dataclass(frozen=True)
class Worktree:
    path: Path
    head: str | None
    branch: str | None  # short name, None when detached
    prunable: bool  # its directory is gone


@dataclass(frozen=True)
class Applied:
    """A change applied to a work tree's index, not committed yet."""

    status: str  # "applied" | "empty" | "conflict"
    files: tuple[str, ...] = field(default_factory=tuple)  # conflicted files


class GitRevisions(Protocol):
    """Names → commits (always after ``--end-of-options``), and the repository's place."""

    @property
    def root(self) -> Path:
        """The top of the work tree this repository was opened at."""
        ...

    def home(self) -> Path:
        """The main work tree (the same from every linked worktree)."""
        ...

    def config_value(self, key: str) -> str | None: ...

    def commit_of(self, rev: str) -> str | None:
        """The full sha of the commit ``rev`` names, or None."""
        ...

    def require_commit(self, rev: str, hint: str | None = None) -> str:
        """The full sha of the commit ``rev`` names; ``NotFound`` with ``hint`` otherwise."""
        ...

    def lookup(self, rev: str) -> tuple[str, list[str], str]:
        """(sha, parents, message) of the commit ``rev`` names."""
        ...

    def head_of(self, tree: Path) -> str:
        """The commit checked out in the work tree ``tree``."""
        ...

    def is_ancestor(self, ancestor: str, descendant: str) -> bool: ...

    def merge_base(self, *revisions: str) -> str | None: ...

    def nearest_tag(self, rev: str) -> str | None:
        """The newest tag reachable from ``rev``, None when there is none."""
        ...


class GitRefs(Protocol):
    """Tags, branches and remotes."""

    def tags(self) -> dict[str, str]:
        """Every local tag → the commit it names."""
        ...

    def tag_dates(self) -> dict[str, int]:
        """Every local tag → when it was made (tagger date, else its commit's; Unix time)."""
        ...

    def default_branch(self, remote: str) -> str | None:
        """The branch ``remote/HEAD`` points at (``main`` for ``origin/main``), if known."""
        ...

    def branches(self) -> list[str]:
        """Local branches and remote-tracking ones (``remotes/origin/…``)."""
        ...

    def branch_exists(self, branch: str) -> bool: ...

    def tag_commit(self, tag: str) -> str | None: ...

    def frozen_refs(self) -> GitRepo:
        """This repository with its refs read once (one ``git for-each-ref``): for a
        command that moves no ref and asks about many (``hotfix audit``, ``contains``)."""
        ...

    def ref_kind(self, name: str) -> str:
        """``"local"`` branch, ``"remote"``-tracking branch, or ``"tag"``."""
        ...

    def check_ref_name(self, name: str, kind: str = "branch") -> None:
        """``UsageError`` when git would refuse ``name``."""
        ...

    def require_full_history(self) -> None:
        """``UsageError`` in a shallow clone."""
        ...

    def has_remote(self, remote: str) -> bool: ...

    def remote_refs(self, remote: str) -> list[str]:
        """Tag names and ``hotfix/`` branch names on ``remote``."""
        ...

    def reserve_version(self, version: str, key: str, remote: str | None = None) -> bool:
        """Reserve ``version`` for record ``key``, atomically (create-only), here and on
        ``remote``; False when it was reserved already (by anyone: ``reservation_owner``)."""
        ...

    def reservation_owner(self, version: str) -> str | None:
        """The record that reserved ``version``; None when nobody did."""
        ...

    def reserved_versions(self) -> list[str]:
        """Every version reserved so far."""
        ...


class GitAnchors(Protocol):
    """Each record's checkpointed chain head, kept in git (``refs/hotfix/anchor/``)."""

    def anchor(self, key: str) -> str | None:
        """The text of ``key``'s newest checkpoint; None when it has none."""
        ...

    def anchors(self) -> dict[str, str]:
        """Every record's newest checkpoint text, by record id."""
        ...

    def write_anchor(self, key: str, text: str, message: str) -> bool:
        """Make ``text`` ``key``'s newest checkpoint (its history kept); False when it
        already was."""
        ...

    def anchor_refspecs(self, keys: Sequence[str] | None = None) -> list[str]:
        """Push refspecs of the anchors of ``keys`` (all when None), for ``push_atomic``."""
        ...


class GitHistory(Protocol):
    """Commits: messages, touched files, patch-ids, and which changes a branch has."""

    def commits(self, rev_range: str, *, tree: Path | None = None,
                extra: Sequence[str] = ()) -> list[Commit]:
        """Commits of ``rev_range``, oldest first (``HEAD`` is ``tree``'s when given)."""
        ...

    def read_commit(self, rev: str, *, tree: Path | None = None) -> Commit: ...

    def changed_files(self, sha: str) -> list[str]: ...

    def rev_graph(self, include: Sequence[str], exclude: Iterable[str] = ()
                  ) -> dict[str, tuple[str, ...]]:
        """Every commit of ``include`` not in ``exclude`` → its parents, parents before
        children, in one ``rev-list --parents --topo-order`` (merges included)."""
        ...

    def read_commits(self, shas: Sequence[str]) -> dict[str, RawCommit]:
        """Message and touched files of many commits (a merge: against its first parent),
        in one git process."""
        ...

    def patch_ids(self, shas: Sequence[str]) -> dict[str, str]:
        """``git patch-id --stable`` of each commit (``""`` for an empty diff); a merge's is
        that of its diff against its first parent (``cherry-pick -m 1``)."""
        ...

    def diffs(self, shas: Sequence[str]) -> dict[str, str]:
        """The patch of each commit."""
        ...

    def already_on(self, upstream: str, head: str, limit: str) -> set[str]:
        """The commits of ``limit..head`` whose change ``upstream`` has (``git cherry``)."""
        ...

    def all_landed(self, upstream: str, head: str) -> bool:
        """Every commit of ``head`` has its change in ``upstream``."""
        ...


class GitDates(Protocol):
    """When commits were committed (the delivery metrics' lead times)."""

    def commit_times(self, include: str, exclude: Iterable[str] = ()) -> list[datetime]:
        """The committer times of the commits in ``include`` and in none of ``exclude``."""
        ...


class GitContent(Protocol):
    """Diffs between commits and files at a commit (what the checks analyse)."""

    def diff(self, base: str, head: str) -> list[FileChange]: ...

    def changed_paths(self, base: str, head: str) -> list[str]: ...

    def python_files(self, commit: str) -> dict[str, str]:
        """Every ``.py`` file at ``commit`` → its blob id."""
        ...

    def blob_ids(self, specs: Sequence[str]) -> list[str | None]:
        """The blob each ``commit:path`` names, in order (None: no such file there)."""
        ...

    def read_blobs(self, ids: Sequence[str]) -> list[str | None]:
        """Text of each blob id, in order (None: binary or not UTF-8)."""
        ...

    def read_files(self, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
        """Text of each path at ``commit`` (None: absent, binary or not UTF-8)."""
        ...


class GitWorktrees(Protocol):
    """Linked worktrees under ``.hotfix/``, and what a work tree holds uncommitted."""

    def worktree_path(self, name: str) -> Path:
        """``<root>/.hotfix/worktrees/<name>``."""
        ...

    def worktree_of(self, branch: str) -> Worktree | None: ...

    def hotfix_worktrees(self, key: str) -> list[Worktree]: ...

    def add_worktree(self, path: Path, branch: str, start: str | None) -> None:
        """A worktree on ``branch``, created at ``start`` if given."""
        ...

    def repair_worktree(self, path: Path, branch: str) -> None: ...

    def remove_worktree(self, path: Path) -> None: ...

    def require_worktree(self, path: Path, branch: str, key: str) -> Path:
        """``path``; ``NotFound`` when it was deleted or moved by hand."""
        ...

    def detached(self, commit: str, purpose: str) -> AbstractContextManager[Path]:
        """A throw-away worktree at ``commit`` under ``.hotfix/<purpose>/``."""
        ...

    def busy_with(self, branch: str) -> Path | None:
        """A worktree in the middle of a rebase or bisect of ``branch``."""
        ...

    def uncommitted(self, tree: Path) -> list[str]:
        """Tracked files with staged or unstaged changes (untracked ones do not count)."""
        ...

    def local_changes(self, tree: Path) -> list[str]:
        """Changed tracked files and untracked files: everything ``git status`` shows."""
        ...

    def has_staged(self, tree: Path) -> bool: ...

    def unmerged(self, tree: Path) -> list[str]: ...


class GitPicking(Protocol):
    """Cherry-picks into a work tree, committed by ``git commit`` (hooks run)."""

    def message_for(self, source: str, trailers: Mapping[str, str],
                    original: str | None = None) -> str: ...

    def apply(self, tree: Path, source: str, mainline: int | None = None) -> Applied: ...

    def keep_ours(self, tree: Path, paths: Iterable[str]) -> None: ...

    def abort(self, tree: Path) -> None: ...

    def commit(self, tree: Path, message: str, *, what: str, retry: str,
               author_of: str | None = None) -> str:
        """``git commit`` (hooks run); ``author_of``: keep that commit's author and date."""
        ...

    def require_resolved(self, tree: Path, retry: str) -> None: ...

    def conflict_markers(self, base: str, head: str) -> list[str]: ...

    def staged_markers(self, tree: Path) -> list[str]: ...


class GitReleasing(Protocol):
    """Release files in a work tree, tags, and moving and pushing branches."""

    def bump_versions(self, tree: Path, patterns: list[str], new: str) -> dict[str, str]: ...

    def write_notes(self, tree: Path, changelog: str, *, tag: str | None, day: str, title: str,
                    entries: Iterable[NoteEntry]) -> list[NoteEntry]:
        """The entries added to ``tag``'s release (None: the Unreleased section), in the
        changelog's own format and line endings; never one it lists already."""
        ...

    def changelog_path(self, tree: Path, changelog: str) -> str:
        """The changelog a release extends: ``changelog`` if the project has it, else the
        project's changelog under a usual name (``CHANGES.rst``, …)."""
        ...

    def stage(self, tree: Path, paths: Iterable[str]) -> None: ...

    def release_paths(self, tree: Path, patterns: list[str], changelog: str) -> set[str]: ...

    def sign_wanted(self) -> bool: ...

    def create_tag(self, tag: str, commit: str, message: str, *,
                   sign: bool | None = None) -> bool: ...

    def swap(self, branch: str, new: str, old: str) -> bool:
        """Point ``branch`` at ``new`` if it still is ``old``; False when it moved."""
        ...

    def fast_forward(self, tree: Path, rev: str) -> str | None:
        """``git merge --ff-only`` in ``tree``; None when done, else git's reason."""
        ...

    def merge(self, tree: Path, rev: str, message: str) -> tuple[str | None, list[str]]:
        """``git merge --no-ff`` in ``tree``: (None, []) when done, else (git's reason, the
        conflicted files) with the merge aborted."""
        ...

    def push_atomic(self, remote: str, refspecs: Sequence[str]) -> str | None:
        """Push all or nothing (never forced); None when done, else git's reason."""
        ...


class GitRepo(GitRevisions, GitRefs, GitAnchors, GitDates, GitHistory, GitContent,
              GitWorktrees, GitPicking, GitReleasing, Protocol):
    """What services need of git: one repository, bound to its root."""
