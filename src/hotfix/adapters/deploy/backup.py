"""The backup before a deploy (``deploy.backup_command``): run once, with a hard timeout.

The command is an argument list; ``{output}`` (the file to write), ``{key}``, ``{version}``
and ``{python}`` are substituted in each argument. It runs as a check's commands do
(``adapters/testing/process.py``): in its own process group, so a timeout or a kill of
hotfix stops everything it started. With ``{output}`` the backup is that file, measured
(size, SHA-256); without it, the command's last line of output names where it went (a
snapshot id, say).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.release.publish import fill
from hotfix.adapters.testing.process import run_streaming
from hotfix.errors import NotConfigured

SETTING = "deploy.backup_command"
TAIL_CHARS = 2000


@dataclass(frozen=True)
class BackupRun:
    args: tuple[str, ...]
    exit_code: int | None  # None: stopped at the timeout
    location: str
    size: int | None
    sha256: str | None
    seconds: float
    output: str  # the tail of what it printed
    problem: str  # "" when the backup is good

    @property
    def passed(self) -> bool:
        return not self.problem

    def to_dict(self) -> dict[str, Any]:
        return {"command": list(self.args), "exit_code": self.exit_code,
                "location": self.location, "size": self.size, "sha256": self.sha256,
                "seconds": round(self.seconds, 3), "output": self.output,
                "passed": self.passed, "problem": self.problem}


def run_backup(argv: Sequence[str], cwd: Path, output: Path, values: Mapping[str, str],
               timeout: float) -> BackupRun:
    """Run the backup command in ``cwd``; ``output`` is where ``{output}`` points."""
    writes_file = any("{output}" in part for part in argv)
    args = fill(argv, {**values, "output": str(output)})
    if writes_file:
        output.parent.mkdir(parents=True, exist_ok=True)
    done = run_streaming(args, cwd, dict(os.environ), timeout, lambda _line: None,
                         cannot_start=_cannot_start)
    tail = done.tail.rstrip("\n")[-TAIL_CHARS:]
    if done.exit_code is None:
        problem = f"it did not finish within {timeout:g} s (deploy.backup_timeout) and was stopped"
    elif done.exit_code != 0:
        problem = f"it exited with {done.exit_code}"
    else:
        problem = ""
    if not writes_file:
        lines = tail.splitlines()
        return BackupRun(args, done.exit_code, lines[-1] if lines else "", None, None,
                         done.seconds, tail, problem)
    size, digest = _measure(output)
    if not problem and not size:
        problem = f"it wrote nothing to {output}"
    return BackupRun(args, done.exit_code, str(output), size, digest, done.seconds, tail,
                     problem)


def _measure(path: Path) -> tuple[int | None, str | None]:
    try:
        with path.open("rb") as data:
            digest = hashlib.file_digest(data, "sha256").hexdigest()
        return path.stat().st_size, digest
    except OSError:
        return None, None


def _cannot_start(args: Sequence[str], exc: OSError) -> NotConfigured | None:
    if isinstance(exc, FileNotFoundError | PermissionError):
        why = "is not installed (not found)" if isinstance(exc, FileNotFoundError) else \
            "is not executable"
        return NotConfigured(f"{SETTING} runs {args[0]!r}, which {why}",
                             hint=f"install it, or change {SETTING} in hotfix.toml")
    return None
