"""The project's publish command (``release.publish_command``) and release hooks
(``release.commands``), each run once, with a hard timeout.

The command is an argument list; ``{tag}``, ``{version}`` and ``{python}`` (this Python) are
substituted in each argument. It runs as a check's commands do
(``adapters/testing/process.py``): in its own process group, so a timeout, a SIGTERM or even
a SIGKILL of hotfix stops everything it started. What it printed is kept as a tail for the
record. A command that cannot start (not installed, not executable) is a ``NotConfigured``
naming the setting.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hotfix.adapters.testing.process import run_streaming
from hotfix.errors import NotConfigured

SETTING = "release.publish_command"
TAIL_LINES, TAIL_CHARS = 30, 4000


@dataclass(frozen=True)
class CommandRun:
    args: tuple[str, ...]
    exit_code: int | None  # None: stopped at the timeout
    output: str  # the tail of what it printed, stdout and stderr interleaved
    seconds: float

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


def fill(argv: Sequence[str], values: Mapping[str, str]) -> tuple[str, ...]:
    """``argv`` with ``{name}`` replaced by ``values[name]`` (and ``{python}``) in each part."""
    known = {"python": sys.executable, **values}
    return tuple(_filled(part, known) for part in argv)


def _filled(part: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        part = part.replace(f"{{{name}}}", value)
    return part


def run_publish(args: Sequence[str], cwd: Path, env: Mapping[str, str],
                timeout: float) -> CommandRun:
    """Run the publish command ``args`` in ``cwd`` with ``env`` added to this process's."""
    return run_command(args, cwd, env, timeout, SETTING)


def run_command(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float,
                setting: str) -> CommandRun:
    """Run ``args`` (configured by ``setting``) in ``cwd`` with ``env`` added."""
    done = run_streaming(args, cwd, {**os.environ, **env}, timeout, lambda _line: None,
                         cannot_start=lambda argv, exc: _cannot_start(argv, cwd, exc, setting))
    return CommandRun(tuple(args), done.exit_code, _tail(done.tail), done.seconds)


def _cannot_start(args: Sequence[str], cwd: Path, exc: OSError,
                  setting: str) -> NotConfigured | None:
    if isinstance(exc, FileNotFoundError):
        return NotConfigured(f"{setting} runs {args[0]!r}, which is not installed (not found "
                             f"on PATH, nor in {cwd})",
                             hint=f"install it, or change {setting} in hotfix.toml")
    if isinstance(exc, PermissionError):
        return NotConfigured(f"{setting} runs {args[0]!r}, which is not executable",
                             hint=f"make it executable (chmod +x {args[0]}), or change "
                                  f"{setting} in hotfix.toml")
    return None


def _tail(output: str) -> str:
    lines = output.rstrip("\n").splitlines()[-TAIL_LINES:]
    return "\n".join(lines)[-TAIL_CHARS:]
