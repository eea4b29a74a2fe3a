"""The test gate on ports: a port is checked before ``--merge`` lands it on its target.

The check is the one ``hotfix check`` runs (``services/checks/pipeline``: scope guard,
targeted tests chosen by impact, then the full suite), on the port's exact head commit,
with the target's tip as the base. A port that fails is not merged: its target stays
``ported`` with the reason and the command to run after fixing it on the backport branch.
A port head checked before is not checked again (the result is on the target's record).
``backport.check = false`` switches the gate off (a project without tests, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hotfix.services.checks.pipeline import CheckOutcome, run_pipeline
from hotfix.services.checks.policy import Range
from hotfix.services.context import Context

SETTING = "backport.check"


def enabled(ctx: Context) -> bool:
    return ctx.cfg.bool(SETTING)


def gate(ctx: Context, tip: str, head: str,
         prior: Mapping[str, Any] | None) -> dict[str, Any]:
    """The check of the port ``head`` against the target ``tip`` (reused when ``prior``
    already checked this very commit): ``{"passed", "commit", "reason", "runs"}``."""
    head_sha = ctx.git.require_commit(head)
    earlier = (prior or {}).get("check")
    if isinstance(earlier, Mapping) and earlier.get("commit") == head_sha:
        return dict(earlier)
    tip_sha = ctx.git.require_commit(tip)
    outcome = run_pipeline(ctx.git, ctx.cfg, Range(tip, tip_sha, head, head_sha),
                           clock=ctx.clock)
    return {"passed": outcome.passed, "commit": head_sha, "reason": reason(outcome),
            "runs": [{"stage": r.stage, "passed": r.passed, **r.counts()}
                     for r in outcome.runs]}


def reason(outcome: CheckOutcome) -> str:
    """Why a check did not pass, in one line ("" when it passed)."""
    if outcome.passed:
        return ""
    if outcome.blocked:
        return "the scope guard blocked it: " + "; ".join(
            v.message for v in outcome.scope.violations)[:300]
    failed = [c.nodeid for r in outcome.runs for c in r.failures]
    if failed:
        shown = ", ".join(failed[:5]) + (", …" if len(failed) > 5 else "")
        return f"{len(failed)} test(s) failed: {shown}"
    return outcome.problem or "the test run failed"
