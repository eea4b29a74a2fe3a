"""Production checks: one HTTP request, or one command, judged pass or fail.

Used by ``hotfix verify`` for the smoke checks and the bug's own check. An HTTP check only
ever asks production: its path is checked (``domain/rollout/check_paths.py``), joined to
the base URL as a URL (never glued as text), and a request whose scheme, host or port is
not the base URL's is refused, not sent. Redirects are not followed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hotfix.domain.rollout.check_paths import path_problem


@dataclass(frozen=True)
class CheckResult:
    name: str
    kind: str  # smoke | bug
    passed: bool
    detail: str
    seconds: float


def http_check(url: str, spec: Mapping[str, Any], kind: str, timeout: float) -> CheckResult:
    """``spec``: method, path, status, match, json (see ``verify.smoke``)."""
    name = f"{spec['method']} {spec['path']} → {spec['status']}"
    began = time.monotonic()
    try:
        target = on_production(url, spec["path"])
    except ValueError as exc:
        return CheckResult(name, kind, False, f"not sent: {exc}", 0.0)
    try:
        resp = httpx.request(str(spec["method"]), target, json=spec.get("json"),
                             timeout=timeout, trust_env=False, follow_redirects=False)
    except httpx.HTTPError as exc:
        return CheckResult(name, kind, False, f"no answer: {exc}", time.monotonic() - began)
    problems = []
    if resp.status_code != int(spec["status"]):
        problems.append(f"status {resp.status_code}")
    if spec["match"] and str(spec["match"]) not in resp.text:
        problems.append(f"body lacks {spec['match']!r}")
    detail = "; ".join(problems) or f"status {resp.status_code}"
    return CheckResult(name, kind, not problems, detail, time.monotonic() - began)


def on_production(base: str, path: object) -> httpx.URL:
    """``base`` (production) with ``path`` appended to its path; ``ValueError`` when
    ``path`` is not a plain path or the result would leave production."""
    problem = path_problem(path)
    if problem is not None:
        raise ValueError(problem)
    prod = httpx.URL(base)
    given = httpx.URL(str(path))  # a path: scheme and host stay empty (checked above)
    target = prod.copy_with(raw_path=prod.raw_path.rstrip(b"/") + given.raw_path)
    if (target.scheme, target.host, target.port) != (prod.scheme, prod.host, prod.port):
        raise ValueError(f"{target} is not on production ({prod.host}:{prod.port})")
    return target


def command_check(root: Path, bug: Mapping[str, Any], url: str, timeout: float,
                  env: Mapping[str, str] | None = None) -> CheckResult:
    """Run ``bug['command']`` in ``root`` with ``HOTFIX_BASE_URL=url`` and ``env`` (e.g. the
    release it checks: ``HOTFIX_TAG``); exit 0 passes."""
    argv = bug["command"]
    args = shlex.split(argv) if isinstance(argv, str) else [str(a) for a in argv]
    began = time.monotonic()
    environ = {**os.environ, **(env or {}), "HOTFIX_BASE_URL": url}
    try:
        proc = subprocess.run(args, cwd=root, capture_output=True, text=True, env=environ,
                              timeout=max(timeout, 60.0), check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult(" ".join(args), "bug", False, str(exc), time.monotonic() - began)
    out = (proc.stdout + proc.stderr).strip().splitlines()
    detail = f"exit {proc.returncode}" + (f": {out[-1]}" if out else "")
    return CheckResult(" ".join(args), "bug", proc.returncode == 0, detail,
                       time.monotonic() - began)
