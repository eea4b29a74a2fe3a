"""The bug's own check, as ``hotfix verify`` is told it: a named check, a command, or one
HTTP request.

    {"name": "eu-checkout"}                                    [verify.bug_checks.eu-checkout]
    {"command": "pytest tests/test_eu_checkout.py"}            exit 0 means fixed
    {"method": "POST", "path": "/checkout", "status": 200, "match": "total", "json": {…}}

Kept in the record's facts and reused by later verifies: a name is looked up in the
repository's configuration again, a request is sent again (to production only); a command
read from the record is never run again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

HTTP_KEYS = ("method", "path", "status", "match", "json")
NAMED_KEYS = ("command", *HTTP_KEYS)


@dataclass(frozen=True)
class BugCheckOptions:
    """What the command line says about the check (``--bug-check``, ``--bug-command`` …)."""

    command: str | None = None
    path: str | None = None
    method: str = "GET"
    json: str | None = None  # the request's body, as JSON text
    status: int = 200
    match: str = ""
    name: str | None = None  # a check of verify.bug_checks


def bug_check_of(given: BugCheckOptions) -> dict[str, Any] | None:
    """The check to keep, or None when neither a name, a command nor a path is given.

    Raises ``json.JSONDecodeError`` (a ``ValueError``) when the body is not JSON."""
    if given.name:
        return {"name": given.name}
    if given.command:
        return {"command": given.command}
    if not given.path:
        return None
    check: dict[str, Any] = {"method": given.method.upper(), "path": given.path,
                             "status": given.status, "match": given.match}
    if given.json is not None:
        check["json"] = json.loads(given.json)
    return check


def named_problem(name: str, spec: object) -> str | None:
    """Why ``[verify.bug_checks.NAME]`` is not a check, None when it is one."""
    if not isinstance(spec, dict):
        return f"verify.bug_checks.{name} must be a table, got {spec!r}"
    unknown = sorted(set(spec) - set(NAMED_KEYS))
    if unknown:
        return f"verify.bug_checks.{name}: unknown key {unknown[0]!r}; known: " + \
            ", ".join(NAMED_KEYS)
    if ("command" in spec) == ("path" in spec):
        return f"verify.bug_checks.{name} needs exactly one of command or path"
    return None
