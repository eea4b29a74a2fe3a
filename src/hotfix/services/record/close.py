"""``hotfix close``: record it, then tidy the hotfix's worktrees.

Branches and tags stay: they are the history. A worktree with changes of any kind is kept
and named, with the command that removes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.services.context import Context


@dataclass(frozen=True)
class Closed:
    record: Hotfix
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "path: why; what to do"

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "worktrees_removed": self.removed,
                "worktrees_kept": self.kept}


def close(ctx: Context, key: str, actor: str, note: str = "",
          override: str | None = None) -> Closed:
    rec = ctx.records.act(key, "close", actor, {"note": note}, override=override)
    removed, kept = tidy_worktrees(ctx, rec.key)
    return Closed(rec, removed, kept)


def tidy_worktrees(ctx: Context, key: str) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    kept: list[str] = []
    for tree in ctx.git.hotfix_worktrees(key):
        if not tree.prunable and ctx.git.local_changes(tree.path):
            kept.append(f"{tree.path}: has changes; look, then: git worktree remove {tree.path}")
            continue
        ctx.git.remove_worktree(tree.path)
        removed.append(str(tree.path))
    return removed, kept
