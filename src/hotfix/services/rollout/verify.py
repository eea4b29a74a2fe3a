"""Verify a hotfix: in production (smoke checks plus the bug's own check), or, for a kind that
is never deployed (a library), against what was published (the bug's own command alone).

Smoke checks come from ``verify.smoke`` (method, path, expected status, text the body must
contain). The bug's own check is an HTTP request or a command that failed before the fix:
named in the repository's configuration (``--bug-check NAME``, ``[verify.bug_checks.NAME]``)
or given at this run (``--bug-path …``, ``--bug-command …``; shaped by
``domain/bug_check.py``). It is kept in the record's facts and reused, but a command read
from the record is never run (``bug_checks.py``). Every request stays on production. A
command sees ``HOTFIX_BASE_URL`` and the release it checks (``HOTFIX_ID``, ``HOTFIX_TAG``,
``HOTFIX_VERSION``). The lifecycle is asked first, so nothing runs for a record that cannot
be verified now, and no rollout adapter is built. The result is a ``verify`` event: passed
or not, check by check, and what the bug check ran.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from hotfix.adapters.deploy.checks import CheckResult, http_check
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.rollout.bug_check import BugCheckOptions, bug_check_of
from hotfix.errors import UsageError
from hotfix.services.context import Context
from hotfix.services.git.steps import guard
from hotfix.services.rollout.bug_checks import http_spec, run_bug_check, spec_of

ARTIFACT = "the published artifact"


@dataclass(frozen=True)
class Verification:
    key: str
    base_url: str  # production; empty for a kind that is never deployed
    passed: bool
    checks: tuple[CheckResult, ...]
    against: str  # what was checked: production's URL, or the published artifact
    bug_check: Mapping[str, Any] | None = None  # what the bug check ran, for the record

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "base_url": self.base_url, "against": self.against,
                "passed": self.passed, "checks": [asdict(c) for c in self.checks]}


def verify(ctx: Context, key: str, actor: str, *, bug_check: Mapping[str, Any] | None = None,
           bug: BugCheckOptions | None = None, base_url: str | None = None) -> Verification:
    """Run the checks; ``bug_check`` (or ``bug``, as options) gives the bug's own check."""
    given = bug_check or _shaped(bug)
    rec = ctx.records.get(key)
    kept = dict(given) if given else rec.facts.get("bug_check")
    _check_inputs(ctx, rec, kept, given=bool(given))  # bad input first: exit 2, nothing ran
    guard(ctx, rec, "verify", actor)  # then the lifecycle, before any check runs
    run = _in_production if rec.deployed else _against_artifact
    result = run(ctx, rec, kept, given=bool(given), base_url=base_url)
    payload: dict[str, Any] = {**result.to_dict(), "bug_check_given": bool(kept)}
    if result.bug_check is not None:
        payload["bug_check"] = dict(result.bug_check)
    if given:
        payload["facts"] = {"bug_check": dict(given)}
    ctx.records.act(rec.key, "verify", actor, payload)
    return result


def precheck(ctx: Context, key: str, bug: BugCheckOptions | None) -> None:
    """Refuse bad check input (UsageError, exit 2) before a step that verifies afterwards
    (a rollback) has touched production."""
    given = _shaped(bug)
    rec = ctx.records.get(key)
    _check_inputs(ctx, rec, dict(given) if given else rec.facts.get("bug_check"),
                  given=bool(given))


def _check_inputs(ctx: Context, rec: Hotfix, kept: Mapping[str, Any] | None, *,
                  given: bool) -> None:
    """Refuse a malformed smoke check or bug check, or a library's missing command."""
    if rec.deployed:
        _smoke(ctx)
    spec = spec_of(ctx, kept, given=given) if kept else None
    if not rec.deployed and (spec is None or "command" not in spec):
        raise _no_command(rec, http=spec is not None)


def _smoke(ctx: Context) -> list[dict[str, Any]]:
    return [http_spec(item, f"verify.smoke[{i}]")
            for i, item in enumerate(ctx.cfg.list("verify.smoke"))]


def _in_production(ctx: Context, rec: Hotfix, kept: Mapping[str, Any] | None, *, given: bool,
                   base_url: str | None) -> Verification:
    url = (base_url or ctx.cfg.str("verify.base_url")
           or f"http://{ctx.cfg.str('rollout.listen')}").rstrip("/")
    timeout = ctx.cfg.float("verify.timeout")
    checks = [http_check(url, spec, "smoke", timeout) for spec in _smoke(ctx)]
    ran: dict[str, Any] | None = None
    if kept:
        outcome, ran = run_bug_check(ctx, rec.key, kept, given=given, url=url,
                                     timeout=timeout, env=_release(rec))
        checks.append(outcome)
    return Verification(rec.key, url, all(c.passed for c in checks), tuple(checks), url, ran)


def _against_artifact(ctx: Context, rec: Hotfix, kept: Mapping[str, Any] | None, *,
                      given: bool, base_url: str | None) -> Verification:
    """A library: only the bug's own command (``_check_inputs`` made sure there is one),
    against what ``hotfix publish`` published."""
    if kept is None:
        raise _no_command(rec, http=False)
    outcome, ran = run_bug_check(ctx, rec.key, kept, given=given, url=base_url or "",
                                 timeout=ctx.cfg.float("verify.timeout"), env=_release(rec))
    against = f"{ARTIFACT} {rec.facts.get('tag', '')}".strip()
    return Verification(rec.key, "", outcome.passed, (outcome,), against, ran)


def _no_command(rec: Hotfix, *, http: bool) -> UsageError:
    return UsageError(
        f"{rec.key} is a {rec.kind} record: it is verified against {ARTIFACT} by a command "
        "that failed before the fix (exit 0 = fixed), and none was given"
        + (" (an HTTP check needs production, which a library does not have)" if http else ""),
        hint=f"name it in hotfix.toml ([verify.bug_checks.NAME] command = […]) and run hotfix "
             f"verify {rec.key} --bug-check NAME, or: hotfix verify {rec.key} --bug-command "
             "\"python check_published.py\" (it sees HOTFIX_TAG and HOTFIX_VERSION)")


def _release(rec: Hotfix) -> dict[str, str]:
    """What a command check is told of the release it checks."""
    return {"HOTFIX_ID": rec.key, "HOTFIX_TAG": str(rec.facts.get("tag", "")),
            "HOTFIX_VERSION": str(rec.facts.get("version", ""))}


def _shaped(options: BugCheckOptions | None) -> dict[str, Any] | None:
    try:
        return bug_check_of(options) if options else None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--bug-json is not JSON: {exc}") from None
