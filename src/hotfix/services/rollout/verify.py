"""Verify a deployed hotfix in production: smoke checks plus the bug's own check.

Smoke checks come from ``verify.smoke`` (method, path, expected status, text the body must
contain). The bug's own check is an HTTP request or a command that failed before the fix:
named in the repository's configuration (``--bug-check NAME``, ``[verify.bug_checks.NAME]``)
or given at this run (``--bug-path …``, ``--bug-command …``; shaped by
``domain/bug_check.py``). It is kept in the record's facts and reused, but a command read
from the record is never run (``bug_checks.py``). Every request stays on production. The
result is a ``verify`` event: passed or not, check by check, and what the bug check ran.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from hotfix.adapters.deploy.checks import CheckResult, http_check
from hotfix.domain.rollout.bug_check import BugCheckOptions, bug_check_of
from hotfix.errors import UsageError
from hotfix.services.context import Context
from hotfix.services.rollout.bug_checks import http_spec, run_bug_check


@dataclass(frozen=True)
class Verification:
    key: str
    base_url: str
    passed: bool
    checks: tuple[CheckResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "base_url": self.base_url, "passed": self.passed,
                "checks": [asdict(c) for c in self.checks]}


def verify(ctx: Context, key: str, actor: str, *, bug_check: Mapping[str, Any] | None = None,
           bug: BugCheckOptions | None = None, base_url: str | None = None) -> Verification:
    """Run the checks; ``bug_check`` (or ``bug``, as options) gives the bug's own check."""
    given = bug_check or _shaped(bug)
    rec = ctx.records.get(key)
    url = (base_url or ctx.cfg.str("verify.base_url")
           or f"http://{ctx.cfg.str('rollout.listen')}").rstrip("/")
    timeout = ctx.cfg.float("verify.timeout")
    kept = dict(given) if given else rec.facts.get("bug_check")
    smoke = [http_spec(item, f"verify.smoke[{i}]")
             for i, item in enumerate(ctx.cfg.list("verify.smoke"))]
    checks = [http_check(url, spec, "smoke", timeout) for spec in smoke]
    ran: dict[str, Any] | None = None
    if kept:
        outcome, ran = run_bug_check(ctx, rec.key, kept, given=bool(given), url=url,
                                     timeout=timeout)
        checks.append(outcome)
    result = Verification(rec.key, url, all(c.passed for c in checks), tuple(checks))
    payload: dict[str, Any] = {**result.to_dict(), "bug_check_given": bool(kept)}
    if ran is not None:
        payload["bug_check"] = ran
    if given:
        payload["facts"] = {"bug_check": dict(given)}
    ctx.records.act(rec.key, "verify", actor, payload)
    return result


def _shaped(options: BugCheckOptions | None) -> dict[str, Any] | None:
    try:
        return bug_check_of(options) if options else None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--bug-json is not JSON: {exc}") from None

