"""Run a test command: output streamed line by line, a hard timeout, the whole group killed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hotfix.errors import UsageError


@dataclass(frozen=True)
class Finished:
    exit_code: int | None  # None: killed at the timeout
    seconds: float
    tail: str  # the last lines of output
    timed_out: bool = False


def run_streaming(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float,
                  on_line: Callable[[str], None]) -> Finished:
    """Run ``args``; call ``on_line`` (in this thread) for each output line."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(list(args), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                errors="replace", start_new_session=True)
    except FileNotFoundError:
        raise UsageError(f"the test command {args[0]!r} is not installed",
                         hint="install it, or set check.test_command in hotfix.toml") from None
    lines: queue.Queue[str | None] = queue.Queue()
    pump = threading.Thread(target=_pump, args=(proc, lines), daemon=True)
    pump.start()
    tail: deque[str] = deque(maxlen=60)
    timed_out = _drain(lines, tail, on_line, proc, deadline=start + timeout)
    if timed_out:
        _kill(proc)
    code = proc.wait()
    pump.join(timeout=2.0)
    return Finished(None if timed_out else code, time.monotonic() - start, "".join(tail),
                    timed_out)


def _pump(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            lines.put(line)
    except (OSError, ValueError):  # closed under us
        pass
    finally:
        proc.stdout.close()
        lines.put(None)


def _drain(lines: queue.Queue[str | None], tail: deque[str], on_line: Callable[[str], None],
           proc: subprocess.Popen[str], *, deadline: float) -> bool:
    """Pass lines on until the output ends (False) or the deadline passes (True).

    A test that leaves a child process holding the output open does not keep us waiting:
    once the command itself has exited and nothing came for half a second, we are done.
    """
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        try:
            line = lines.get(timeout=min(left, 0.5))
        except queue.Empty:
            if proc.poll() is not None:
                return False
            continue
        if line is None:
            return False
        tail.append(line)
        on_line(line.rstrip("\n"))


def _kill(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the process group, SIGKILL it 3 s later if still there."""
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
