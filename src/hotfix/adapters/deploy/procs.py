"""Process groups for the apps and routers hotfix starts (Linux ``/proc``).

Every process is started in its own session, so it and everything it forks share one
process group that outlives the controller (a killed ``hotfix deploy`` leaves production
running) and can be stopped as a whole (no orphans). A process is named by its pid *and*
its start time, so a pid reused by the system after a restart is never signalled.

``ProcessControllers`` names the rollout controllers the same way (``hotfix deploy`` is one
process; ``hotfix rollback`` stops it with SIGTERM before it rolls back).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hotfix.errors import UsageError

_PROC = Path("/proc")
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}  # ours to reap, so none stays a zombie


def spawn(argv: Sequence[str], cwd: Path, log: Path,
          env: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Start ``argv`` as a new process group; return (pid, start ticks)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with log.open("ab") as out:
            proc = subprocess.Popen(
                list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
                env=dict(env) if env is not None else None,
            )
    except OSError as exc:
        raise UsageError(f"cannot start {' '.join(argv)}: {exc}",
                         hint="check the command template in hotfix.toml") from None
    _CHILDREN[proc.pid] = proc
    return proc.pid, start_ticks(proc.pid)


def _stat(pid: int) -> list[str] | None:
    try:
        raw = (_PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses
    return raw[raw.rindex(")") + 2:].split()


def start_ticks(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[19]) if fields else 0


def alive(pid: int, ticks: int = 0) -> bool:
    """True while ``pid`` runs (not a zombie) and is the process that started at ``ticks``."""
    _reap(pid)
    fields = _stat(pid)
    if not fields or fields[0] in ("Z", "X"):
        return False
    return ticks == 0 or int(fields[19]) == ticks


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in the process group ``pgid``."""
    members = []
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                members.append(int(entry.name))
    return members


def stop_group(pid: int, ticks: int, timeout: float = 10.0) -> None:
    """SIGTERM the group led by ``pid``, SIGKILL what remains after ``timeout``."""
    if alive(pid) and not alive(pid, ticks):
        return  # the pid now names another process: ours is long gone
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        if not _signal_group(pid, sig):
            break
        if _wait_gone(pid, wait):
            break
    _reap(pid, block=True)


def _signal_group(pgid: int, sig: signal.Signals) -> bool:
    if not group_members(pgid):
        return False
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(pgid)
        if not group_members(pgid):
            return True
        time.sleep(0.05)
    return False


def _reap(pid: int, block: bool = False) -> None:
    proc = _CHILDREN.get(pid)
    if proc is None:
        return
    if block and not group_members(pid):
        proc.wait(timeout=5)
    if proc.poll() is not None:
        del _CHILDREN[pid]


def terminate(pid: int, ticks: int, timeout: float = 10.0) -> None:
    """SIGTERM the one process ``pid`` (started at ``ticks``); wait until it is gone."""
    if not alive(pid, ticks):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid, ticks) and time.monotonic() < deadline:
        time.sleep(0.05)


@dataclass
class ProcessControllers:
    """Rollout controllers are processes of this machine: (pid, start ticks)."""

    stop_timeout: float = 10.0

    def me(self) -> tuple[int, int]:
        pid = os.getpid()
        return pid, start_ticks(pid)

    def alive(self, who: tuple[int, int]) -> bool:
        return bool(who[0]) and alive(*who)

    def stop(self, who: tuple[int, int]) -> None:
        terminate(*who, self.stop_timeout)


def tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no output)"
