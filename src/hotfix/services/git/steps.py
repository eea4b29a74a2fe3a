"""What the git steps share: the hotfix's branch and worktree, the guard, the journal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.release import towncrier
from hotfix.domain.record.lifecycle import Hotfix, plan
from hotfix.domain.release.journal import NOTE
from hotfix.errors import GuardRefused, NotFound
from hotfix.services.context import Context


@dataclass(frozen=True)
class Work:
    """The git side of a started hotfix (from its ``start`` facts)."""

    key: str
    line: str
    base_tag: str
    version: str
    tag: str
    branch: str
    worktree: Path

    def facts(self) -> dict[str, str]:
        return {"line": self.line, "base_tag": self.base_tag, "version": self.version,
                "tag": self.tag, "branch": self.branch, "worktree": str(self.worktree)}

    @classmethod
    def from_payload(cls, key: str, p: Mapping[str, Any]) -> Work:
        return cls(key, str(p["line"]), str(p["base_tag"]), str(p["version"]), str(p["tag"]),
                   str(p["branch"]), Path(str(p["worktree"])))


def work_of(rec: Hotfix) -> Work:
    started = rec.last("start")
    if not started or "facts" not in started:
        raise NotFound(f"{rec.key} has no hotfix branch yet",
                       hint=f"create it from the release tag: hotfix start {rec.key}")
    return Work.from_payload(rec.key, started["facts"])


def tree(ctx: Context, work: Work) -> Path:
    """The hotfix's worktree; a clear error when it was deleted by hand."""
    return ctx.git.require_worktree(work.worktree, work.branch, work.key)


def guard(ctx: Context, rec: Hotfix, action: str, actor: str,
          payload: Mapping[str, Any] | None = None) -> None:
    """Refuse before any git work when the lifecycle would refuse the action afterwards."""
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]
    refusal = plan(rec, action, actor, dict(payload or {}), approvers)
    if refusal is not None:
        raise GuardRefused(refusal.message, hint=refusal.hint)


def journal(ctx: Context, key: str, actor: str, step: str, phase: str, **data: Any) -> Hotfix:
    """Record a git step as a note on the hotfix (no state change)."""
    return ctx.records.act(key, NOTE, actor, {"step": step, "phase": phase, **data})


def release_paths(ctx: Context, path: Path) -> set[str]:
    """Files only a release changes (version files, their locks, the changelog or the
    towncrier news file): never ported, reset when a cut-short release is redone."""
    found = ctx.git.release_paths(path, [str(p) for p in ctx.cfg.list("lines.version_files")],
                                  ctx.cfg.str("lines.changelog"))
    news = towncrier.detect(path)
    return found | {news.news} if news is not None else found
