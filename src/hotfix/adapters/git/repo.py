"""``Git``: the real ``hotfix.ports.GitRepo``, one repository bound to its root.

Each method is one concept module's function with the root filled in; the modules hold
the git commands and their parsing, and are tested on real repositories.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from hotfix.adapters.git import (
    advance,
    anchors,
    blobs,
    bulk,
    dates,
    diffs,
    history,
    patches,
    picking,
    refs,
    release_files,
    repository,
    reservations,
    revs,
    status,
    tagging,
    worktrees,
)
from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.release.notes import NoteEntry
from hotfix.ports import Applied, Commit, RawCommit, Worktree


class Git:
    """The repository whose work tree's top is ``root`` (see ``hotfix.ports.GitRepo``)."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def __repr__(self) -> str:
        return f"Git({str(self._root)!r})"

    # revisions ---------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self._root

    def home(self) -> Path:
        return repository.repo_home(self._root)

    def config_value(self, key: str) -> str | None:
        return repository.config_value(key, self._root)

    def commit_of(self, rev: str) -> str | None:
        return revs.commit_of(self._root, rev)

    def require_commit(self, rev: str, hint: str | None = None) -> str:
        return revs.require_commit(self._root, rev, hint)

    def lookup(self, rev: str) -> tuple[str, list[str], str]:
        return revs.lookup(self._root, rev)

    def head_of(self, tree: Path) -> str:
        return revs.require_commit(tree, "HEAD")

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return revs.is_ancestor(self._root, ancestor, descendant)

    def merge_base(self, *revisions: str) -> str | None:
        return revs.merge_base(self._root, *revisions)

    def nearest_tag(self, rev: str) -> str | None:
        return revs.nearest_tag(self._root, rev)

    # refs --------------------------------------------------------------------------------

    def tags(self) -> dict[str, str]:
        return refs.tags(self._root)

    def tag_dates(self) -> dict[str, int]:
        return refs.tag_dates(self._root)

    def default_branch(self, remote: str) -> str | None:
        return refs.default_branch(self._root, remote)

    def branches(self) -> list[str]:
        return refs.branches(self._root)

    def branch_exists(self, branch: str) -> bool:
        return refs.branch_exists(self._root, branch)

    def tag_commit(self, tag: str) -> str | None:
        return refs.tag_commit(self._root, tag)

    def ref_kind(self, name: str) -> str:
        return refs.kind_of(self._root, name)

    def check_ref_name(self, name: str, kind: str = "branch") -> None:
        refs.check_ref_name(self._root, name, kind)

    def require_full_history(self) -> None:
        refs.require_full_history(self._root)

    def has_remote(self, remote: str) -> bool:
        return refs.has_remote(self._root, remote)

    def reserve_version(self, version: str, key: str, remote: str | None = None) -> bool:
        return reservations.reserve(self._root, version, key, remote)

    def reservation_owner(self, version: str) -> str | None:
        return reservations.owner(self._root, version)

    def reserved_versions(self) -> list[str]:
        return reservations.reserved(self._root)

    # dates -------------------------------------------------------------------------------

    def commit_times(self, include: str, exclude: Iterable[str] = ()) -> list[datetime]:
        return dates.commit_times(self._root, include, exclude)

    # anchors -----------------------------------------------------------------------------

    def anchor(self, key: str) -> str | None:
        return anchors.read(self._root, key)

    def anchors(self) -> dict[str, str]:
        return anchors.read_all(self._root)

    def write_anchor(self, key: str, text: str, message: str) -> bool:
        return anchors.write(self._root, key, text, message)

    def anchor_refspecs(self, keys: Sequence[str] | None = None) -> list[str]:
        return anchors.refspecs(self._root, keys)

    def remote_refs(self, remote: str) -> list[str]:
        return refs.remote_refs(self._root, remote)

    # history -----------------------------------------------------------------------------

    def commits(self, rev_range: str, *, tree: Path | None = None,
                extra: Sequence[str] = ()) -> list[Commit]:
        return history.commits(tree or self._root, rev_range, extra=extra)

    def read_commit(self, rev: str, *, tree: Path | None = None) -> Commit:
        return history.one(tree or self._root, rev)

    def changed_files(self, sha: str) -> list[str]:
        return history.changed_files(self._root, sha)

    def rev_graph(self, include: Sequence[str], exclude: Iterable[str] = ()
                  ) -> dict[str, tuple[str, ...]]:
        return bulk.rev_graph(self._root, include, exclude)

    def read_commits(self, shas: Sequence[str]) -> dict[str, RawCommit]:
        return bulk.read_commits(self._root, shas)

    def patch_ids(self, shas: Sequence[str]) -> dict[str, str]:
        return patches.patch_ids(self._root, shas)

    def diffs(self, shas: Sequence[str]) -> dict[str, str]:
        return patches.diffs(self._root, shas)

    def already_on(self, upstream: str, head: str, limit: str) -> set[str]:
        return patches.already_on(self._root, upstream, head, limit)

    def all_landed(self, upstream: str, head: str) -> bool:
        return patches.all_landed(self._root, upstream, head)

    # content -----------------------------------------------------------------------------

    def diff(self, base: str, head: str) -> list[FileChange]:
        return diffs.diff(self._root, base, head)

    def changed_paths(self, base: str, head: str) -> list[str]:
        return diffs.changed_paths(self._root, base, head)

    def python_files(self, commit: str) -> dict[str, str]:
        return blobs.python_files(self._root, commit)

    def blob_ids(self, specs: Sequence[str]) -> list[str | None]:
        return blobs.blob_ids(self._root, specs)

    def read_blobs(self, ids: Sequence[str]) -> list[str | None]:
        return blobs.read_objects(self._root, ids)

    def read_files(self, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
        return blobs.read_files(self._root, commit, paths)

    # worktrees and their status ----------------------------------------------------------

    def worktree_path(self, name: str) -> Path:
        return worktrees.path_for(self._root, name)

    def worktree_of(self, branch: str) -> Worktree | None:
        return worktrees.of_branch(self._root, branch)

    def hotfix_worktrees(self, key: str) -> list[Worktree]:
        return worktrees.of_hotfix(self._root, key)

    def add_worktree(self, path: Path, branch: str, start: str | None) -> None:
        worktrees.add(self._root, path, branch, start)

    def repair_worktree(self, path: Path, branch: str) -> None:
        worktrees.repair(self._root, path, branch)

    def remove_worktree(self, path: Path) -> None:
        worktrees.remove(self._root, path)

    def require_worktree(self, path: Path, branch: str, key: str) -> Path:
        return worktrees.require(self._root, path, branch, key)

    def detached(self, commit: str, purpose: str) -> AbstractContextManager[Path]:
        return worktrees.detached(self.home(), commit, purpose)

    def busy_with(self, branch: str) -> Path | None:
        return advance.busy_with(self._root, branch)

    def uncommitted(self, tree: Path) -> list[str]:
        return status.uncommitted(tree)

    def local_changes(self, tree: Path) -> list[str]:
        return status.local_changes(tree)

    def has_staged(self, tree: Path) -> bool:
        return status.has_staged(tree)

    def unmerged(self, tree: Path) -> list[str]:
        return status.unmerged(tree)

    # picking -----------------------------------------------------------------------------

    def message_for(self, source: str, trailers: Mapping[str, str],
                    original: str | None = None) -> str:
        return picking.message_for(self._root, source, trailers, original)

    def apply(self, tree: Path, source: str, mainline: int | None = None) -> Applied:
        return picking.apply(tree, source, mainline)

    def keep_ours(self, tree: Path, paths: Iterable[str]) -> None:
        picking.keep_ours(tree, paths)

    def abort(self, tree: Path) -> None:
        picking.abort(tree)

    def commit(self, tree: Path, message: str, *, what: str, retry: str,
               author_of: str | None = None) -> str:
        return picking.commit(tree, message, what=what, retry=retry, author_of=author_of)

    def require_resolved(self, tree: Path, retry: str) -> None:
        picking.require_resolved(tree, retry)

    def conflict_markers(self, base: str, head: str) -> list[str]:
        return picking.conflict_markers(self._root, base, head)

    def staged_markers(self, tree: Path) -> list[str]:
        return picking.staged_markers(tree)

    # releasing ---------------------------------------------------------------------------

    def bump_versions(self, tree: Path, patterns: list[str], new: str) -> dict[str, str]:
        return release_files.bump_versions(tree, patterns, new)

    def write_notes(self, tree: Path, changelog: str, *, tag: str | None, day: str, title: str,
                    entries: Iterable[NoteEntry]) -> list[NoteEntry]:
        return release_files.write_notes(tree, changelog, tag=tag, day=day, title=title,
                                         entries=entries)

    def stage(self, tree: Path, paths: Iterable[str]) -> None:
        release_files.stage(tree, paths)

    def changelog_path(self, tree: Path, changelog: str) -> str:
        return release_files.changelog_path(tree, changelog)

    def release_paths(self, tree: Path, patterns: list[str], changelog: str) -> set[str]:
        return release_files.release_paths(tree, patterns, changelog)

    def sign_wanted(self) -> bool:
        return tagging.sign_wanted(self._root)

    def create_tag(self, tag: str, commit: str, message: str, *,
                   sign: bool | None = None) -> bool:
        return tagging.create(self._root, tag, commit, message, sign=sign)

    def swap(self, branch: str, new: str, old: str) -> bool:
        return advance.swap(self._root, branch, new, old)

    def fast_forward(self, tree: Path, rev: str) -> str | None:
        return advance.fast_forward(tree, rev)

    def merge(self, tree: Path, rev: str, message: str) -> tuple[str | None, list[str]]:
        return advance.merge(tree, rev, message)

    def push_atomic(self, remote: str, refspecs: Sequence[str]) -> str | None:
        return advance.push_atomic(self._root, remote, refspecs)

    # a view whose refs are read once ----------------------------------------------------

    def frozen_refs(self) -> Git:
        return FrozenRefs(self._root)


class FrozenRefs(Git):
    """The repository with its refs read once, by ONE ``git for-each-ref`` on first need:
    tags, their dates, branches, a remote's ``HEAD`` and the commit of every ref name come
    from that snapshot (any other revision is still asked of git). For a command that moves
    no ref (``hotfix audit``, ``hotfix contains``): a dozen short git processes fewer."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._snapshot: refs.Snapshot | None = None

    @property
    def _refs(self) -> refs.Snapshot:
        if self._snapshot is None:
            self._snapshot = refs.Snapshot(self._root)
        return self._snapshot

    def frozen_refs(self) -> Git:
        return self

    def commit_of(self, rev: str) -> str | None:
        known, commit = self._refs.ref_commit(rev)
        return commit if known else super().commit_of(rev)

    def require_commit(self, rev: str, hint: str | None = None) -> str:
        known, commit = self._refs.ref_commit(rev)
        return commit if known and commit else super().require_commit(rev, hint)

    def tags(self) -> dict[str, str]:
        return dict(self._refs.tags)

    def tag_dates(self) -> dict[str, int]:
        return dict(self._refs.tag_dates)

    def default_branch(self, remote: str) -> str | None:
        return self._refs.default_branch(remote)

    def branches(self) -> list[str]:
        return list(self._refs.branches)

    def branch_exists(self, branch: str) -> bool:
        return self.commit_of(f"refs/heads/{branch}") is not None

    def tag_commit(self, tag: str) -> str | None:
        return self.commit_of(f"refs/tags/{tag}")
