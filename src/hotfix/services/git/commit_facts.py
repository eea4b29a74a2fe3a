"""Commit facts and patch-ids, read from git in bulk and kept in the store's cache.

A commit never changes, so what we derive from it is cached under its SHA for good:

- ``commit-meta/3``: subject, touched files (a merge: against its first parent), trailer
  keys, what it reverts and the PR it backports (JSON);
- ``patch-id``: ``git patch-id --stable`` (``""`` for an empty diff).

A second audit reads these instead of asking git for diffs again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hotfix.domain.audit.commits import CommitInfo, parse_commit
from hotfix.ports import Cache, GitRepo

META = "commit-meta/3"
PATCH_ID = "patch-id"


def load_commits(git: GitRepo, cache: Cache, shas: Sequence[str]) -> dict[str, CommitInfo]:
    """``CommitInfo`` for each SHA: from the cache, the rest from one ``git log``."""
    kept = cache.get(META, shas)
    # one JSON document for them all: one call into the decoder, not one per commit
    found = {sha: _decode(sha, fields) for sha, fields in
             zip(kept, json.loads(f"[{','.join(kept.values())}]"), strict=True)}
    todo = [sha for sha in shas if sha not in found]
    fresh = {sha: parse_commit(sha, message, files)
             for sha, (message, files) in git.read_commits(todo).items()}
    cache.put(META, {sha: _encode(info) for sha, info in fresh.items()})
    return found | fresh


def load_patch_ids(git: GitRepo, cache: Cache, shas: Sequence[str]) -> dict[str, str]:
    """Patch-id of each SHA: from the cache, the rest from one diff-tree | patch-id pipe."""
    wanted = list(dict.fromkeys(shas))
    found = cache.get(PATCH_ID, wanted)
    fresh = git.patch_ids([sha for sha in wanted if sha not in found])
    cache.put(PATCH_ID, fresh)
    return found | fresh



def _encode(info: CommitInfo) -> str:
    return json.dumps([info.subject, info.files, info.cherry_from, info.backport_of,
                       info.hotfix_ids, info.is_release, info.reverts, info.is_revert,
                       info.backport_prs],
                      separators=(",", ":"),
                      ensure_ascii=False)


def _decode(sha: str, fields: list[Any]) -> CommitInfo:
    (subject, files, cherry, backport, hotfix, is_release, reverts, is_revert,
     prs) = fields
    return CommitInfo(sha=sha, subject=subject, files=tuple(files), cherry_from=tuple(cherry),
                      backport_of=tuple(backport), hotfix_ids=tuple(hotfix),
                      is_release=bool(is_release), reverts=tuple(reverts),
                      is_revert=bool(is_revert), backport_prs=tuple(prs))
