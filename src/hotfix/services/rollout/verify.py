"""Verify a deployed hotfix in production: smoke checks plus the bug's own check.

Smoke checks come from ``verify.smoke`` (method, path, expected status, text the body must
contain). The bug's own check is an HTTP request or a command that failed before the fix;
given once (``hotfix verify HF-N --bug-path …`` or ``--bug-command …``, shaped by
``domain/bug_check.py``) it is kept in the record's facts and reused. The result is a
``verify`` event: passed or not, check by check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from hotfix.adapters.deploy.checks import CheckResult, command_check, http_check
from hotfix.domain.rollout.bug_check import BugCheckOptions, bug_check_of, path_problem
from hotfix.errors import ConfigError, UsageError
from hotfix.services.context import Context

HTTP_KEYS = ("method", "path", "status", "match", "json")


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
    checks = [http_check(url, _spec(item, f"verify.smoke[{i}]"), "smoke", timeout)
              for i, item in enumerate(ctx.cfg.list("verify.smoke"))]
    if kept:
        checks.append(command_check(ctx.root, kept, url, timeout) if "command" in kept
                      else http_check(url, _spec(kept, "the bug check"), "bug", timeout))
    result = Verification(rec.key, url, all(c.passed for c in checks), tuple(checks))
    payload: dict[str, Any] = {**result.to_dict(), "bug_check_given": bool(kept)}
    if given:
        payload["facts"] = {"bug_check": dict(given)}
    ctx.records.act(rec.key, "verify", actor, payload)
    return result


def _shaped(options: BugCheckOptions | None) -> dict[str, Any] | None:
    problem = path_problem(options.path) if options and options.path else None
    if problem:
        raise UsageError(f"--bug-path: {problem}", hint="e.g. --bug-path /checkout")
    try:
        return bug_check_of(options) if options else None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--bug-json is not JSON: {exc}") from None


def _spec(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, Mapping) or "path" not in item:
        raise ConfigError(f"{where} must be a table with at least a path, got {item!r}",
                          hint='e.g. { method = "GET", path = "/health", status = 200 }')
    problem = path_problem(item["path"])
    if problem:
        raise ConfigError(f"{where}: {problem}",
                          hint=f'give {where} a path from the base URL, e.g. path = "/health"')
    unknown = sorted(set(item) - set(HTTP_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(HTTP_KEYS)}")
    return {"method": "GET", "status": 200, "match": "", **item}
