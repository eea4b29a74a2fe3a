"""``hotfix rollback HF-N --to vX.Y.Z`` whole: roll production back, then verify it there.

The smoke checks and the bug's own check run against the release returned to (``verify``,
recorded as a ``verify`` event). The bug's check is expected to pass there; if it fails
too, the rollback did not help, and the result says so (the record stays ``rolled_back``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.rollout.bug_check import BugCheckOptions
from hotfix.services.context import Context
from hotfix.services.rollout import roll_back, verify
from hotfix.services.rollout.roll_back import RolledBack, StepFn
from hotfix.services.rollout.verify import Verification


@dataclass(frozen=True)
class RolledBackFirst:
    rolled: RolledBack
    verification: Verification

    @property
    def bug_fixed(self) -> bool | None:
        """Whether the bug's own check passed on the release returned to (None: none ran)."""
        bug = [c for c in self.verification.checks if c.kind == "bug"]
        return all(c.passed for c in bug) if bug else None

    @property
    def verdict(self) -> str:
        to, passed = self.rolled.to, self.verification.passed
        if self.bug_fixed is False:
            return (f"the rollback did not help: the bug's own check fails on {to} too; "
                    "the cause is elsewhere (data, configuration, another service)")
        if not passed:
            return f"production runs {to}, but its smoke checks fail"
        if self.bug_fixed is None:
            return f"production runs {to}; its smoke checks pass (no bug check was given)"
        return f"production runs {to}, verified: the bug's own check passes there"

    def to_dict(self) -> dict[str, Any]:
        return {**self.rolled.to_dict(), "verification": self.verification.to_dict(),
                "bug_fixed": self.bug_fixed, "verdict": self.verdict}


def roll_back_first(ctx: Context, key: str, actor: str, *, to: str | None = None,
                    bug: BugCheckOptions | None = None, reason: str = "",
                    on_step: StepFn | None = None) -> RolledBackFirst:
    verify.precheck(ctx, key, bug)  # a bad --bug-* refused before production moves
    rolled = roll_back.roll_back(ctx, key, actor, to=to, reason=reason, on_step=on_step)
    return RolledBackFirst(rolled, verify.verify(ctx, rolled.key, actor, bug=bug))

