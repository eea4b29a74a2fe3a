"""The one subprocess seam for git.

Argument lists only (never a shell string), inherited ``GIT_*`` variables that would
redirect git elsewhere are stripped, and a failure becomes a ``GitError`` showing the
command, its exit code and stderr.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from hotfix.errors import GitError, UsageError

# Variables that point git at another repository or index: set by hooks and by git itself
# when it runs us (e.g. from a rebase --exec); inheriting them would act on the wrong repo.
_STRIPPED = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_PREFIX", "GIT_COMMON_DIR")


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    env["LC_ALL"] = "C"  # stable, parseable messages
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    env.update(extra or {})
    return env


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    check: bool = True,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` in ``cwd``; raise ``GitError`` on a non-zero exit when ``check``."""
    cmd = ["git", *args]
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, input=input, capture_output=True, text=True, env=git_env(env),
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git (apt-get install git)") from None
    if check and proc.returncode != 0:
        raise GitError(
            f"`{' '.join(cmd)}` failed with exit code {proc.returncode}: "
            f"{proc.stderr.strip() or proc.stdout.strip()}",
            hint=None,
        )
    return proc


def out(args: Sequence[str], cwd: Path) -> str:
    """stdout of a git command that must succeed, trailing newline removed."""
    return run(args, cwd).stdout.rstrip("\n")


def split_z(text: str) -> list[str]:
    """Parse NUL-separated ``-z`` output."""
    return [part for part in text.split("\0") if part]


def pipe(
    first: Sequence[str], second: Sequence[str] | None, cwd: Path, *, input: bytes = b""
) -> bytes:
    """``git FIRST | git SECOND`` (or just ``git FIRST``) over bytes: stdout of the last.

    For bulk reads (``git log -z``, ``diff-tree --stdin -p | patch-id``) where the output is
    large or not UTF-8. ``input`` is fed from a thread so neither side can deadlock.
    """
    cmds = [["git", *first]] + ([["git", *second]] if second is not None else [])
    with tempfile.TemporaryFile() as err_head, tempfile.TemporaryFile() as err_tail:
        head = _popen(cmds[0], cwd, subprocess.PIPE, err_head)
        tail = head if second is None else _popen(cmds[1], cwd, head.stdout, err_tail)
        assert head.stdin is not None
        assert tail.stdout is not None
        if tail is not head and head.stdout is not None:
            head.stdout.close()  # only the tail reads it now
        feeder = threading.Thread(target=_feed, args=(head.stdin, input), daemon=True)
        feeder.start()
        output = tail.stdout.read()
        tail.stdout.close()
        feeder.join()
        head.wait()
        tail.wait()
        # the last command's failure first: the one before it then only died of SIGPIPE
        for proc, err in ((tail, err_tail), (head, err_head)):
            err.seek(0)
            _check_piped(proc.args, proc.returncode, err.read())
    return output


def _popen(cmd: list[str], cwd: Path, stdin: int | IO[bytes] | None,
           stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(cmd, cwd=cwd, env=git_env(), stdin=stdin,
                                stdout=subprocess.PIPE, stderr=stderr)
    except FileNotFoundError:
        raise UsageError("git is not installed", hint="install git (apt-get install git)") \
            from None


def _feed(stream: IO[bytes], data: bytes) -> None:
    # git may exit early (bad input); its own exit code and stderr tell why.
    with contextlib.suppress(BrokenPipeError):
        stream.write(data)
    with contextlib.suppress(BrokenPipeError):
        stream.close()


def _check_piped(cmd: Any, code: int, stderr: bytes) -> None:
    if code != 0:
        raise GitError(
            f"`{' '.join(cmd)}` failed with exit code {code}: "
            f"{stderr.decode('utf-8', 'replace').strip()}",
            hint=None,
        )
