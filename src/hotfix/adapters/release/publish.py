"""The project's publish command (``release.publish_command``), run once, with a hard timeout.

The command is an argument list; ``{tag}``, ``{version}`` and ``{python}`` (this Python) are
substituted in each argument. It runs in its own process group, so a timeout stops
everything it started. What it printed is kept as a tail for the record. A command that
cannot start (not installed, not executable) is a ``NotConfigured`` naming the setting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

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
    """Run ``args`` in ``cwd`` with ``env`` added to this process's environment."""
    began = time.monotonic()
    proc = _start(args, cwd, {**os.environ, **env})
    try:
        output, _ = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _stop_group(proc)
        output, code = _rest(proc), None
    return CommandRun(tuple(args), code, _tail(output), time.monotonic() - began)


def _start(args: Sequence[str], cwd: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    try:
        return subprocess.Popen(list(args), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                errors="replace", start_new_session=True)
    except FileNotFoundError:
        raise NotConfigured(f"{SETTING} runs {args[0]!r}, which is not installed (not found "
                            f"on PATH, nor in {cwd})",
                            hint=f"install it, or change {SETTING} in hotfix.toml") from None
    except PermissionError:
        raise NotConfigured(f"{SETTING} runs {args[0]!r}, which is not executable",
                            hint=f"make it executable (chmod +x {args[0]}), or change "
                                 f"{SETTING} in hotfix.toml") from None


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the command's process group, SIGKILL it 3 s later if it is still there."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=3.0)
            return
        except subprocess.TimeoutExpired:
            continue


def _rest(proc: subprocess.Popen[str]) -> str:
    """What a stopped command printed (nothing, if something it started keeps the pipe)."""
    try:
        output, _ = proc.communicate(timeout=3.0)
    except subprocess.TimeoutExpired:
        if proc.stdout is not None:
            proc.stdout.close()
        return ""
    return output or ""


def _tail(output: str) -> str:
    lines = output.rstrip("\n").splitlines()[-TAIL_LINES:]
    return "\n".join(lines)[-TAIL_CHARS:]
