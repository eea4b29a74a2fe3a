"""``hotfix close``: record it, then tidy the hotfix's worktrees.

A released hotfix closes only when every supported line newer than its own has the fix (by
ancestry, a ``-x``/``Backport-Of`` trailer, the same patch, or its port merged) or a waiver
for it (``hotfix audit waive``): otherwise users upgrading from the hotfix release to that
line would lose the fix. The lifecycle's own rules (folded back into main, documentation,
…) are asked first.

Branches and tags stay: they are the history. A worktree with changes of any kind is kept
and named, with the command that removes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix, plan
from hotfix.domain.release.journal import backport_targets
from hotfix.domain.release.versions import line_key
from hotfix.errors import GuardRefused
from hotfix.services.context import Context
from hotfix.services.git import foldback
from hotfix.services.git import lines as lines_svc
from hotfix.services.git.backport import fix_commits
from hotfix.services.git.porting import MERGED, PORTED, PRESENT
from hotfix.services.git.steps import Work, work_of
from hotfix.services.git.waivers import all_waivers


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
    rec = ctx.records.get(key)
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]
    if override is None and plan(rec, "close", actor, {"note": note}, approvers) is not None:
        ctx.records.act(key, "close", actor, {"note": note})  # refused, with its own hint
    lacking = lines_lacking(ctx, rec)
    if lacking:
        message, hint = _lacking_message(rec.key, work_of(rec), lacking)
        raise GuardRefused(message, hint=hint)
    rec = ctx.records.act(key, "close", actor, {"note": note}, override=override)
    removed, kept = tidy_worktrees(ctx, rec.key)
    return Closed(rec, removed, kept)


def lines_lacking(ctx: Context, rec: Hotfix) -> dict[str, str]:
    """Supported lines newer than a released hotfix's own that have neither its fix nor a
    waiver: line → what the record says of it."""
    if rec.last("release") is None or rec.last("start") is None:
        return {}
    work = work_of(rec)
    newer = [x for x in lines_svc.discover_lines(ctx.git, ctx.cfg)
             if x.supported and x.tip and line_key(x.name) > line_key(work.line)]
    if not newer:
        return {}
    recorded = backport_targets(rec.events)
    fixes = fix_commits(ctx, rec, work)
    shas = {f.sha for f in fixes} | {f.origin() for f in fixes}
    waived = {w.line for w in all_waivers(ctx) if w.sha in shas}
    lacking: dict[str, str] = {}
    for line in newer:
        state = recorded.get(line.name)
        if line.name in waived or (state is not None and state.status in (MERGED, PRESENT)):
            continue
        port = str(state.detail.get("branch") or "") if state is not None and \
            state.status == PORTED and state.detail.get("commits") else ""
        if not foldback.missing(ctx, str(line.tip), work.base_tag, fixes, port or None):
            continue
        lacking[line.name] = (f"{state.status}: {state.detail.get('message') or ''}".rstrip(": ")
                              if state is not None else "not ported")
    return lacking


def _lacking_message(key: str, work: Work, lacking: dict[str, str]) -> tuple[str, str]:
    shown = "; ".join(f"{line} ({what})" for line, what in lacking.items())
    first = next(iter(lacking))
    return (f"{key} cannot close: the supported newer line(s) {', '.join(lacking)} lack the "
            f"fix, so users upgrading from {work.tag} would lose it — {shown}",
            f"port it: hotfix backport {key} --to {first} --merge; or, when a line does not "
            f"need it: hotfix audit waive <fix sha> --line {first} --reason \"why\" "
            f"--hotfix {key}")


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
