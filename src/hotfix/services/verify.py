"""Verify a deployed hotfix in production: smoke checks plus the bug's own check.

Smoke checks come from ``verify.smoke`` (method, path, expected status, text the body must
contain). The bug's own check is an HTTP request or a command that failed before the fix;
given once (``hotfix verify HF-N --bug-path …`` or ``--bug-command …``) it is kept in the
record's facts and reused. The result is a ``verify`` event: passed or not, check by check.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from hotfix.errors import ConfigError
from hotfix.services import record
from hotfix.services.context import Context

HTTP_KEYS = ("method", "path", "status", "match", "json")


@dataclass(frozen=True)
class CheckResult:
    name: str
    kind: str  # smoke | bug
    passed: bool
    detail: str
    seconds: float


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
           base_url: str | None = None) -> Verification:
    rec = record.get(ctx, key)
    url = (base_url or ctx.cfg.str("verify.base_url")
           or f"http://{ctx.cfg.str('rollout.listen')}").rstrip("/")
    timeout = ctx.cfg.float("verify.timeout")
    bug = dict(bug_check) if bug_check else rec.facts.get("bug_check")
    checks = [_http(url, _spec(item, f"verify.smoke[{i}]"), "smoke", timeout)
              for i, item in enumerate(ctx.cfg.list("verify.smoke"))]
    if bug:
        checks.append(_command(ctx, bug, url, timeout) if "command" in bug
                      else _http(url, _spec(bug, "the bug check"), "bug", timeout))
    result = Verification(rec.key, url, all(c.passed for c in checks), tuple(checks))
    payload: dict[str, Any] = {**result.to_dict(), "bug_check_given": bool(bug)}
    if bug_check:
        payload["facts"] = {"bug_check": dict(bug_check)}
    record.act(ctx, rec.key, "verify", actor, payload)
    return result


def _spec(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, Mapping) or "path" not in item:
        raise ConfigError(f"{where} must be a table with at least a path, got {item!r}",
                          hint='e.g. { method = "GET", path = "/health", status = 200 }')
    unknown = sorted(set(item) - set(HTTP_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(HTTP_KEYS)}")
    return {"method": "GET", "status": 200, "match": "", **item}


def _http(url: str, spec: dict[str, Any], kind: str, timeout: float) -> CheckResult:
    name = f"{spec['method']} {spec['path']} → {spec['status']}"
    began = time.monotonic()
    try:
        resp = httpx.request(str(spec["method"]), url + str(spec["path"]), json=spec.get("json"),
                             timeout=timeout, trust_env=False)
    except httpx.HTTPError as exc:
        return CheckResult(name, kind, False, f"no answer: {exc}", time.monotonic() - began)
    problems = []
    if resp.status_code != int(spec["status"]):
        problems.append(f"status {resp.status_code}")
    if spec["match"] and str(spec["match"]) not in resp.text:
        problems.append(f"body lacks {spec['match']!r}")
    detail = "; ".join(problems) or f"status {resp.status_code}"
    return CheckResult(name, kind, not problems, detail, time.monotonic() - began)


def _command(ctx: Context, bug: Mapping[str, Any], url: str, timeout: float) -> CheckResult:
    argv = bug["command"]
    args = shlex.split(argv) if isinstance(argv, str) else [str(a) for a in argv]
    began = time.monotonic()
    env = {**os.environ, "HOTFIX_BASE_URL": url}
    try:
        proc = subprocess.run(args, cwd=ctx.root, capture_output=True, text=True, env=env,
                              timeout=max(timeout, 60.0), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(" ".join(args), "bug", False, str(exc), time.monotonic() - began)
    out = (proc.stdout + proc.stderr).strip().splitlines()
    detail = f"exit {proc.returncode}" + (f": {out[-1]}" if out else "")
    return CheckResult(" ".join(args), "bug", proc.returncode == 0, detail,
                       time.monotonic() - began)
