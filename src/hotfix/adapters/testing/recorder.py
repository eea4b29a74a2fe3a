"""Record a coverage map: the whole suite once, under coverage.py, one context per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import coverage

from hotfix.adapters.testing import covmap
from hotfix.adapters.testing.process import Finished, run_streaming
from hotfix.adapters.testing.pytest_run import missing_tool

DRIVER = Path(__file__).with_name("record_driver.py")


def record(*, home: Path, worktree: Path, commit: str, python: Path, env: Mapping[str, str],
           timeout: float, on_line: Callable[[str], None]) -> tuple[Finished, int]:
    """Run the suite in ``worktree`` and save the map for ``commit``; returns (run, tests)."""
    scratch = home / ".hotfix" / "impact" / f"record-{commit[:12]}"
    scratch.mkdir(parents=True, exist_ok=True)
    data, tests_json = scratch / "coverage.db", scratch / "tests.json"
    for stale in scratch.glob("coverage.db*"):
        stale.unlink()
    driver = scratch / DRIVER.name  # run from here: hotfix's own folder stays off sys.path
    shutil.copyfile(DRIVER, driver)
    args = [str(python), str(driver), str(data), str(tests_json), str(worktree),
            "-q", "-p", "no:randomly"]
    finished = run_streaming(args, worktree, env, timeout, on_line)
    missing_tool(finished.exit_code, finished.tail, str(python))
    if finished.timed_out or not tests_json.is_file():
        return finished, 0
    tests = json.loads(tests_json.read_text("utf-8"))
    files = per_file(data, worktree)
    covmap.save(covmap.map_path(home, commit), commit,
                {t: (float(v["seconds"]), str(v["outcome"])) for t, v in tests.items()},
                files, datetime.now(UTC).isoformat())
    return finished, len(tests)


def per_file(data_file: Path, worktree: Path) -> dict[str, dict[str, set[int]]]:
    """Coverage data → repository path → test node id → executed lines (tests only)."""
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    out: dict[str, dict[str, set[int]]] = {}
    prefix = str(worktree.resolve()) + "/"
    for measured in data.measured_files():
        resolved = str(Path(measured).resolve())
        if not resolved.startswith(prefix):
            continue
        tests: dict[str, set[int]] = {}
        for line, contexts in data.contexts_by_lineno(measured).items():
            for context in contexts:
                if context:
                    tests.setdefault(context, set()).add(line)
        out[resolved[len(prefix):]] = tests
    return out
