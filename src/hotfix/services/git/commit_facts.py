"""Commit facts and patch-ids, read from git in bulk and kept in the store's cache.

A commit never changes, so what we derive from it is cached under its SHA for good:

- ``commit-meta/3``: subject, touched files (a merge: against its first parent), trailer
  keys, what it reverts and the PR it backports (JSON);
- ``patch-id``: ``git patch-id --stable`` (``""`` for an empty diff).

A second audit reads these instead of asking git for diffs again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from hotfix.domain.audit.commits import CommitInfo, parse_commit
from hotfix.ports import Cache, GitRepo

META = "commit-meta/3"
PATCH_ID = "patch-id"


class Facts(Mapping[str, CommitInfo]):
    """``CommitInfo`` by SHA, each decoded from its cached text when first read: who needs
    a few of many (``hotfix contains`` over the whole history) picks them by that text
    first (``containing``); who needs them all decodes them at once (``decoded``)."""

    def __init__(self, text: Mapping[str, str], ready: Mapping[str, CommitInfo]) -> None:
        self._text, self._ready = dict(text), dict(ready)

    def __getitem__(self, sha: str) -> CommitInfo:
        found = self._ready.get(sha)
        if found is None:
            found = self._ready[sha] = _decode(sha, json.loads(self._text[sha]))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def __len__(self) -> int:
        return len(self._text)

    def decoded(self) -> Facts:
        """Every one decoded, in one call into the JSON decoder (not one per commit)."""
        todo = [sha for sha in self._text if sha not in self._ready]
        fields = json.loads(f"[{','.join(self._text[sha] for sha in todo)}]")
        self._ready.update((sha, _decode(sha, f)) for sha, f in zip(todo, fields, strict=True))
        return self

    def containing(self, shas: Iterable[str], needles: Iterable[str],
                   named: tuple[str, ...] = ()) -> list[CommitInfo]:
        """The commits of ``shas`` (in that order) whose facts' text holds one of
        ``needles`` (a file name as ``needle_file`` writes it, a SHA prefix, a PR number, a
        hotfix id), or whose SHA starts with one of ``named``: a superset of those that
        have that file, origin, PR or id, found without decoding the others."""
        wanted = sorted({n for n in needles if n}, key=len, reverse=True)
        search = re.compile("|".join(map(re.escape, wanted))).search if wanted else None
        return [self[sha] for sha in shas if (named and sha.startswith(named))
                or (search is not None and search(self._text[sha]))]


def needle_file(path: str) -> str:
    """A file name as the facts' text holds it (a JSON string, quotes included)."""
    return json.dumps(path, ensure_ascii=False)


def load_facts(git: GitRepo, cache: Cache, shas: Sequence[str]) -> Facts:
    """The facts of each SHA: from the cache, the rest from one ``git log`` (and kept)."""
    kept = cache.get(META, shas)
    todo = [sha for sha in shas if sha not in kept]
    fresh = {sha: parse_commit(sha, message, files)
             for sha, (message, files) in git.read_commits(todo).items()}
    text = {sha: _encode(info) for sha, info in fresh.items()}
    cache.put(META, text)
    return Facts(kept | text, fresh)


def load_commits(git: GitRepo, cache: Cache, shas: Sequence[str]) -> dict[str, CommitInfo]:
    """``CommitInfo`` for each SHA: from the cache, the rest from one ``git log``."""
    return dict(load_facts(git, cache, shas).decoded())


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
