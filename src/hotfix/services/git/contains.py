"""``hotfix contains SHA|HF-N``: which released versions carry a fix, by the audit's rules.

The fix is a commit (any ref), or every commit with the trailer ``Hotfix-Id: HF-N``. Its
equivalents (*carriers*) are found among the mainline (merges included), the release lines
since they forked and the history of every release tag (so a hotfix's own release, tagged
on its ``hotfix/`` branch, counts) by the same trailers, patch-ids and subject fallback as
``hotfix audit``. The reverts of a carrier (``This reverts commit …``, and their picks) are
found too. A tag contains the fix when its history applies it more often than it reverts
it: a fix reverted before a release is not in that release; re-applied, it is again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.equivalence import (
    Evidence,
    MainIndex,
    Match,
    ShaMap,
    Status,
    decide,
)
from hotfix.errors import NotFound
from hotfix.ports import Cache, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.audit import AuditOptions, LineRef, line_refs, read_window, resolve
from hotfix.services.git.commit_facts import load_commits, load_patch_ids
from hotfix.services.git.lines import discover_lines, mainline_ref


@dataclass(frozen=True)
class Carrier:
    """A commit that carries the fix; ``match`` says why (None: it is the fix itself)."""

    sha: str
    subject: str
    match: Match | None

    def to_dict(self) -> dict[str, Any]:
        return {"sha": self.sha, "subject": self.subject,
                "match": self.match.to_dict() if self.match else None}


@dataclass(frozen=True)
class LineHas:
    """One line's release tags, oldest first, split by whether they contain the fix."""

    line: str
    tags: tuple[str, ...]
    missing: tuple[str, ...]
    newest: str | None

    @property
    def in_newest(self) -> bool:
        return self.newest is not None and self.newest in self.tags

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "tags": list(self.tags), "missing": list(self.missing)}


@dataclass(frozen=True)
class Containment:
    fix: str
    commits: tuple[Carrier, ...]
    tags: tuple[str, ...]  # every release tag that contains the fix
    lines: tuple[LineHas, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"fix": self.fix, "commits": [c.to_dict() for c in self.commits],
                "tags": list(self.tags), "lines": [line.to_dict() for line in self.lines]}


def contains_refs(git: GitRepo, cache: Cache, query: str, lines: Sequence[LineRef], *,
                  mainline: str, options: AuditOptions, hotfix_id: str | None = None,
                  release_tags: Sequence[str] | None = None) -> Containment:
    """Where the fix ``query`` (a commit, or the hotfix ``hotfix_id``) was released."""
    window = read_window(git, cache, lines, mainline, options, with_tags=True)
    pool = list({c.sha: c for c in (*window.main, *(c for cs in window.lines.values()
                                                     for c in cs))}.values())
    targets = _targets(git, cache, query, hotfix_id, pool)
    carriers = _carriers(git, cache, targets, pool, options)
    reverts = _reverts(carriers, pool)
    applied: dict[str, int] = {}
    for sha in (c.sha for c in carriers):
        for tag in git.tags_containing(sha):
            applied[tag] = applied.get(tag, 0) + 1
    for sha in reverts:
        for tag in git.tags_containing(sha):
            applied[tag] = applied.get(tag, 0) - 1
    tagged = {tag for tag, count in applied.items() if count > 0}
    known = list(release_tags) if release_tags is not None else sorted(tagged)
    per_line = tuple(LineHas(line.name, tuple(t for t in line.tags if t in tagged),
                             tuple(t for t in line.tags if t not in tagged),
                             line.tags[-1] if line.tags else None) for line in lines)
    return Containment(hotfix_id or query, carriers, tuple(t for t in known if t in tagged),
                       per_line)


def _targets(git: GitRepo, cache: Cache, query: str, hotfix_id: str | None,
             pool: Sequence[CommitInfo]) -> list[CommitInfo]:
    if hotfix_id is None:
        sha = resolve(git, query)
        return [load_commits(git, cache, [sha])[sha]]
    found = list({c.sha: c for c in pool
                  if hotfix_id in c.hotfix_ids and not c.is_release}.values())
    if not found:
        raise NotFound(f"no commit on the mainline or a release line has the trailer "
                       f"Hotfix-Id: {hotfix_id}",
                       hint=f"pick the fix with `hotfix pick {hotfix_id} SHA`, or ask "
                            f"about the commit itself: hotfix contains SHA")
    return found


def _carriers(git: GitRepo, cache: Cache, targets: list[CommitInfo],
              pool: Sequence[CommitInfo], options: AuditOptions) -> tuple[Carrier, ...]:
    index = MainIndex(targets, options.release, options.release_subjects)
    same_files = {frozenset(t.files) for t in targets}
    suspects = [c for c in pool if frozenset(c.files) in same_files]
    pids = load_patch_ids(git, cache, [c.sha for c in (*targets, *suspects)])
    evidence = Evidence(patch_ids=pids, subject_fallback=options.subject_fallback,
                        release_subjects=options.release_subjects,
                        main_by_patch_id={pids[t.sha]: t.sha for t in targets if pids[t.sha]})
    out = {t.sha: Carrier(t.sha, t.subject, None) for t in targets}
    for commit in pool:
        verdict = decide(commit, index, evidence)
        if commit.sha not in out and verdict.status is Status.IN_MAINLINE:
            out[commit.sha] = Carrier(commit.sha, commit.subject, verdict.match)
    return tuple(out.values())


def _reverts(carriers: Sequence[Carrier], pool: Sequence[CommitInfo]) -> list[str]:
    """Commits of ``pool`` that revert a carrier, and the picks of those reverts."""
    by_sha = ShaMap()
    for carrier in carriers:
        by_sha.add(carrier.sha, _as_commit(carrier))
    found = [c for c in pool if any(by_sha.get(t) is not None for t in c.reverts)]
    undo = ShaMap()
    for commit in found:
        undo.add(commit.sha, commit)
    picks = [c for c in pool if c not in found
             and any(undo.get(o) is not None for o in c.origins - {c.sha})]
    return list(dict.fromkeys(c.sha for c in (*found, *picks)))


def _as_commit(carrier: Carrier) -> CommitInfo:
    return CommitInfo(sha=carrier.sha, subject=carrier.subject)


def hotfix_id_of(query: str, prefix: str) -> str | None:
    """``HF-3`` (any case) → ``"HF-3"``; anything else is a commit."""
    match = re.fullmatch(rf"({re.escape(prefix)})-(\d+)", query.strip(), re.I)
    return f"{prefix.upper()}-{int(match.group(2))}" if match else None


def contains(ctx: Context, query: str) -> Containment:
    """``hotfix contains SHA|HF-N`` over every discovered line and its release tags."""
    lines = discover_lines(ctx.git, ctx.cfg)
    return contains_refs(ctx.git, ctx.cache, query, line_refs(lines),
                         mainline=mainline_ref(ctx.git, ctx.cfg),
                         options=AuditOptions.from_config(ctx.cfg),
                         hotfix_id=hotfix_id_of(query, ctx.cfg.str("records.prefix")),
                         release_tags=[tag for line in lines for tag in line.tags])
