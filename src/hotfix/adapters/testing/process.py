"""Run a command (a check's pip and pytest, a publish) in a process group that never
outlives hotfix.

Each command starts in a session of its own (its process group), and the group is killed
when the command ends, at the timeout, on an exception, and on SIGTERM (turned into
KeyboardInterrupt while a command runs, so every ``finally`` cleans up). For SIGKILL of
hotfix, which no handler sees, a tiny watchdog process holds the read end of a pipe whose
write end only hotfix holds: when hotfix dies the kernel closes it, the watchdog reads EOF
and SIGKILLs the group.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from hotfix.errors import HotfixError, UsageError

CannotStart = Callable[[Sequence[str], OSError], HotfixError | None]


@dataclass(frozen=True)
class Finished:
    exit_code: int | None  # None: killed at the timeout
    seconds: float
    tail: str  # the last lines of output
    timed_out: bool = False


def run_streaming(args: Sequence[str], cwd: Path, env: Mapping[str, str], timeout: float,
                  on_line: Callable[[str], None], *,
                  cannot_start: CannotStart | None = None) -> Finished:
    """Run ``args``; call ``on_line`` (in this thread) for each output line.

    ``cannot_start`` turns the error of a command that does not start into the caller's
    ``HotfixError`` (None: raise the error as it is); by default a missing test command."""
    start = time.monotonic()
    try:
        proc = _start(args, cwd, env, stderr=subprocess.STDOUT)
    except OSError as exc:
        error = (cannot_start or _no_test_command)(args, exc)
        if error is None:
            raise
        raise error from None
    with _reaped(proc):
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


def _no_test_command(args: Sequence[str], exc: OSError) -> HotfixError | None:
    if not isinstance(exc, FileNotFoundError):
        return None
    return UsageError(f"the test command {args[0]!r} is not installed",
                      hint="install it, or set check.test_command in hotfix.toml")


def run_captured(args: Sequence[str], *, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``args`` to the end in its own group: exit code, stdout, stderr."""
    proc = _start(args, cwd, os.environ if env is None else env, stderr=subprocess.PIPE)
    with _reaped(proc):
        out, err = proc.communicate()
    return proc.returncode, out, err


def _start(args: Sequence[str], cwd: Path | None, env: Mapping[str, str], *,
           stderr: int) -> subprocess.Popen[str]:
    return subprocess.Popen(list(args), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                            stderr=stderr, stdin=subprocess.DEVNULL, text=True,
                            errors="replace", start_new_session=True)


_WATCHDOG = ("import os, signal, sys\n"
             "sys.stdin.buffer.read()\n"  # EOF: hotfix closed the pipe, or died
             "try:\n    os.killpg(int(sys.argv[1]), signal.SIGKILL)\n"
             "except OSError:\n    pass\n")


@contextmanager
def _reaped(proc: subprocess.Popen[str]) -> Iterator[None]:
    """While the body runs: SIGTERM raises KeyboardInterrupt, a watchdog guards the group."""
    watchdog = subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(proc.pid)],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        with _sigterm_interrupts():
            yield
    finally:
        _kill(proc)
        assert watchdog.stdin is not None
        watchdog.stdin.close()
        watchdog.wait()


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


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
    """SIGTERM the process group (what the command left, too), SIGKILL it 3 s later."""
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
