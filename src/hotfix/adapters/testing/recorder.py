"""Record a coverage map: the whole suite once, under coverage.py, one context per test.

``run`` runs the suite and returns what it measured; nothing is stored until ``save`` (the
service refuses a recording that did not run the suite, see ``coverage_map``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import coverage

from hotfix.adapters.testing import covmap
from hotfix.adapters.testing.process import Finished, run_streaming
from hotfix.adapters.testing.pytest_run import missing_tool

DRIVER = Path(__file__).with_name("record_driver.py")


@dataclass(frozen=True)
class Recording:
    finished: Finished
    tests: dict[str, tuple[float, str]]  # node id → (seconds, outcome)
    collection_errors: list[str]  # node ids (files) pytest could not collect
    data: Path  # the coverage data file
    worktree: Path

    @property
    def failed(self) -> list[str]:
        return sorted(t for t, (_, outcome) in self.tests.items()
                      if outcome in ("failed", "error"))


def run(*, home: Path, worktree: Path, commit: str, python: Path, env: Mapping[str, str],
        timeout: float, on_line: Callable[[str], None]) -> Recording:
    """Run the suite of ``worktree`` under coverage, one context per test."""
    scratch = home / ".hotfix" / "impact" / f"record-{commit[:12]}"
    scratch.mkdir(parents=True, exist_ok=True)
    data, tests_json = scratch / "coverage.db", scratch / "tests.json"
    errors_json = tests_json.with_name(tests_json.name + ".collect")
    for stale in [*scratch.glob("coverage.db*"), tests_json, errors_json]:
        stale.unlink(missing_ok=True)
    driver = scratch / DRIVER.name  # run from here: hotfix's own folder stays off sys.path
    shutil.copyfile(DRIVER, driver)
    args = [str(python), str(driver), str(data), str(tests_json), str(worktree),
            "-q", "-p", "no:randomly"]
    finished = run_streaming(args, worktree, env, timeout, on_line)
    missing_tool(finished.exit_code, finished.tail, str(python))
    tests: dict[str, tuple[float, str]] = {}
    if tests_json.is_file() and not finished.timed_out:
        raw = json.loads(tests_json.read_text("utf-8"))
        tests = {t: (float(v["seconds"]), str(v["outcome"])) for t, v in raw.items()}
    errors = json.loads(errors_json.read_text("utf-8")) if errors_json.is_file() else []
    return Recording(finished, tests, [str(e) for e in errors], data, worktree)


def save(recording: Recording, home: Path, commit: str) -> Path:
    """Store the map of ``commit`` (its failing tests noted in it)."""
    path = covmap.map_path(home, commit)
    covmap.save(path, commit, recording.tests, per_file(recording.data, recording.worktree),
                datetime.now(UTC).isoformat())
    return path


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
