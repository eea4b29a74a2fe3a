"""The bug's own check, as ``hotfix verify`` is told it: a command, or one HTTP request.

    {"command": "pytest tests/test_eu_checkout.py"}            exit 0 means fixed
    {"method": "POST", "path": "/checkout", "status": 200, "match": "total", "json": {…}}

Given once, it is kept in the record's facts and re-run by every later verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BugCheckOptions:
    """What the command line says about the check (``--bug-command``, ``--bug-path`` …)."""

    command: str | None = None
    path: str | None = None
    method: str = "GET"
    json: str | None = None  # the request's body, as JSON text
    status: int = 200
    match: str = ""


def path_problem(path: object) -> str | None:
    """What is wrong with ``path`` as the path of a check's request, or None.

    A path starts with one ``/`` and is joined to the production base URL."""
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return f"the path {path!r} does not start with a single /"
    return None


def bug_check_of(given: BugCheckOptions) -> dict[str, Any] | None:
    """The check to keep, or None when neither a command nor a path is given.

    Raises ``json.JSONDecodeError`` (a ``ValueError``) when the body is not JSON."""
    if given.command:
        return {"command": given.command}
    if not given.path:
        return None
    check: dict[str, Any] = {"method": given.method.upper(), "path": given.path,
                             "status": given.status, "match": given.match}
    if given.json is not None:
        check["json"] = json.loads(given.json)
    return check
