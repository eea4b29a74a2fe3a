"""``hotfix check HF-N``: verify the hotfix's exact head commit and record the result.

Reads the facts ``hotfix start`` recorded (``base_tag``, ``branch``, ``worktree``), runs the
check pipeline (scope guard, targeted tests, full suite) and records a ``check`` event
whose payload carries ``passed`` and ``commit``: the release guard requires a passing check
on the exact commit being tagged. A scope violation blocks the check unless an approver
overrides it with a reason; the override is part of the recorded event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotfix.domain.checks.testrun import Progress
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import GuardRefused, UsageError
from hotfix.services.checks.pipeline import CheckOutcome, run_pipeline
from hotfix.services.checks.policy import REV_HINT, Range
from hotfix.services.context import Context


def check(ctx: Context, key: str, actor: str, *, keep_going: bool = False,
          override: str | None = None, waive_test: str | None = None,
          on_progress: Callable[[Progress], None] = lambda _: None) -> tuple[CheckOutcome, Hotfix]:
    """Run the check of ``key`` and record it; returns the outcome and the updated record."""
    rec = ctx.records.get(key)
    found, dirty = _target(ctx, rec)
    scope_override = _override(ctx, actor, override)
    outcome = run_pipeline(ctx.git, ctx.cfg, found, clock=ctx.clock, keep_going=keep_going,
                           waiver=waive_test,
                           override=scope_override, on_progress=on_progress,
                           ci=ctx.ci, branch=str(rec.facts.get("branch") or ""))
    payload: dict[str, Any] = {**outcome.to_payload(), "keep_going": keep_going,
                               "uncommitted_not_tested": dirty}
    return outcome, ctx.records.act(key, "check", actor, payload)


def _target(ctx: Context, rec: Hotfix) -> tuple[Range, list[str]]:
    facts = rec.facts
    base, branch, tree = facts.get("base_tag"), facts.get("branch"), facts.get("worktree")
    if not base or not (branch or tree):
        raise GuardRefused(f"{rec.key} has no hotfix branch yet: nothing to check",
                           hint=f"start it first: hotfix start {rec.key}")
    base_sha = ctx.git.require_commit(str(base), hint=REV_HINT)
    if tree and (ctx.root / str(tree)).exists():
        where = ctx.root / str(tree)  # its HEAD is checked; its uncommitted changes are not
        head_sha = ctx.git.head_of(where)
        return Range(str(base), base_sha, "HEAD", head_sha), ctx.git.uncommitted(where)
    head = str(branch) if branch else "HEAD"
    return Range(str(base), base_sha, head, ctx.git.require_commit(head, hint=REV_HINT)), []


def _override(ctx: Context, actor: str, reason: str | None) -> dict[str, str] | None:
    if reason is None:
        return None
    if not reason.strip():
        raise UsageError("an override needs a reason", hint='--override "why it must ship"')
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]
    if actor not in approvers:
        raise GuardRefused(f"{actor} cannot override the scope guard: only approvers can",
                           hint="approvers are listed under [approvals] approvers in hotfix.toml")
    return {"by": actor, "reason": reason.strip()}
