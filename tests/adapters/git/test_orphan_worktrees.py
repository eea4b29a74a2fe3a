"""A throw-away check worktree left by a killed check is removed by the next one."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import git
from hotfix.adapters.git import worktrees
from hotfix.errors import ConflictError

HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from hotfix.adapters.git import worktrees
    with worktrees.detached(Path(sys.argv[1]), sys.argv[2], "check") as path:
        print(path, flush=True)
        time.sleep(300)
""")


@contextmanager
def holding(repo: Path, commit: str) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A check process inside its throw-away worktree at ``commit``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(repo), commit],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc, Path(proc.stdout.readline().strip())
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def registered(repo: Path) -> str:
    return git(repo, "worktree", "list", "--porcelain")


def commits(repo: Path, count: int) -> list[str]:
    shas = []
    for n in range(count):
        (repo / f"f{n}.txt").write_text(f"{n}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"f{n}")
        shas.append(git(repo, "rev-parse", "HEAD"))
    return shas


def test_a_killed_checks_worktree_goes_and_a_live_ones_stays(repo: Path) -> None:
    killed_at, live_at, next_at = commits(repo, 3)
    with holding(repo, killed_at) as (killed, left), holding(repo, live_at) as (_, live):
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert left.is_dir()
        with worktrees.detached(repo, next_at, "check"):
            assert not left.exists()
            assert str(left) not in registered(repo)
            assert live.is_dir()
        with (pytest.raises(ConflictError, match="another check of"),
              worktrees.detached(repo, live_at, "check")):
            pass
        assert live.is_dir()
        assert str(live) in registered(repo)
