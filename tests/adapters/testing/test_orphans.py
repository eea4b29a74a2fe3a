"""A killed check leaves no process and no half-built environment behind (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hotfix.adapters.pids import alive
from hotfix.adapters.testing import venv
from hotfix.adapters.testing.declared import declared

RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from hotfix.adapters.testing.pytest_run import run_tests
    project = Path(sys.argv[1])
    run_tests(command=["python", "-m", "pytest"], python=sys.executable, cwd=project,
              env={"PATH": "/usr/bin:/bin"}, tests=None, stage="full", timeout=1800,
              junit_path=project / "junit.xml", on_progress=lambda _: None)
""")
PIP_LIKE = textwrap.dedent("""
    import sys
    from hotfix.adapters.testing.process import run_captured
    sleeper = "import os, pathlib, time; pathlib.Path('pip.pid').write_text(str(os.getpid()))"
    run_captured([sys.executable, "-c", sleeper + "; time.sleep(300)"])
""")
SLEEPING_TEST = textwrap.dedent("""
    import os, pathlib, time
    def test_sleeps():
        pathlib.Path("pytest.pid").write_text(str(os.getpid()))
        time.sleep(300)
""")


def _wait_for(predicate: Callable[[], object], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_the_tests_die_with_a_killed_check(tmp_path: Path, sig: signal.Signals) -> None:
    (tmp_path / "test_sleep.py").write_text(SLEEPING_TEST)
    check = subprocess.Popen([sys.executable, "-c", RUNNER, str(tmp_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pidfile = tmp_path / "pytest.pid"
    try:
        assert _wait_for(lambda: pidfile.is_file() and pidfile.read_text())
        pytest_pid = int(pidfile.read_text())
        assert alive(pytest_pid)
        check.send_signal(sig)
        check.wait(timeout=60)
        assert _wait_for(lambda: not alive(pytest_pid)), "pytest outlived the killed check"
    finally:
        check.kill()
        check.wait()
        if pidfile.is_file() and alive(pid := int(pidfile.read_text())):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_pip_dies_with_a_killed_check(tmp_path: Path, sig: signal.Signals) -> None:
    check = subprocess.Popen([sys.executable, "-c", PIP_LIKE], cwd=tmp_path)
    pidfile = tmp_path / "pip.pid"
    try:
        assert _wait_for(lambda: pidfile.is_file() and pidfile.read_text())
        pip_pid = int(pidfile.read_text())
        check.send_signal(sig)
        check.wait(timeout=60)
        assert _wait_for(lambda: not alive(pip_pid)), "pip outlived the killed check"
    finally:
        check.kill()
        check.wait()
        if pidfile.is_file() and alive(pid := int(pidfile.read_text())):
            os.kill(pid, signal.SIGKILL)


def test_the_next_check_removes_a_killed_checks_half_built_environment(tmp_path: Path) -> None:
    venvs = tmp_path / ".hotfix" / "venvs"
    left = venvs / f"0123456789abcdef.building-{dead_pid()}"
    busy = venvs / f"fedcba9876543210.building-{os.getpid()}"
    for folder in (left, busy):
        (folder / "bin").mkdir(parents=True)
    project = tmp_path / "project"
    project.mkdir()
    env = venv.ensure(tmp_path, declared(project, [], []), python=Path(sys.executable))
    assert env.python.is_file()
    assert not left.exists()
    assert busy.is_dir()  # a live check is still building it
