"""Record a coverage map for a commit (``hotfix impact --record``).

A recording that did not run the suite is refused and nothing is stored: pytest stopped
(exit codes other than 0 and 1: interrupted, internal or usage error, no tests), files it
could not collect, or no test at all. A map with failing tests is stored and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hotfix.adapters.testing import recorder
from hotfix.config import Config
from hotfix.errors import HotfixError
from hotfix.ports import GitRepo
from hotfix.services.checks.environment import prepared
from hotfix.services.checks.policy import REV_HINT

_EXIT = {2: "was interrupted (collection errors, or a test called pytest.exit)",
         3: "hit an internal error (a plugin or conftest.py raised)",
         4: "refused its command line (a bad option in addopts or the config)",
         5: "collected no tests"}
_HINT = {2: "fix the errors above; `python -m pytest --collect-only -q` in the project "
            "shows them",
         3: "fix the failing plugin or conftest.py shown above, then record again",
         4: "fix the pytest options in the project's pytest config (addopts), then record "
            "again",
         5: "check testpaths / python_files in the project's pytest config, or add tests"}


@dataclass(frozen=True)
class Recorded:
    commit: str
    tests: int
    seconds: float
    exit_code: int | None
    timed_out: bool
    failed: tuple[str, ...] = ()  # tests that failed while recording

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "tests": self.tests, "seconds": round(self.seconds, 3),
                "exit_code": self.exit_code, "timed_out": self.timed_out,
                "failed": list(self.failed)}


def record_map(git: GitRepo, cfg: Config, commit: str,
               on_line: Callable[[str], None] = lambda _: None) -> Recorded:
    """Run the whole suite of ``commit`` under coverage and store its per-test map."""
    home = git.home()
    sha = git.require_commit(commit, hint=REV_HINT)
    # the project's environment, with coverage in a throw-away overlay (never in its venv)
    with (git.detached(sha, "record") as tree,
          prepared(home, tree, sha, cfg, extra=("coverage",)) as env):
        assert env.python is not None
        recording = recorder.run(home=home, worktree=tree, commit=sha, python=env.python,
                                 env=env.variables,
                                 timeout=cfg.float("check.timeout_seconds"), on_line=on_line)
        refuse_failed(recording, commit, cfg)
        recorder.save(recording, home, sha)
    run = recording.finished
    return Recorded(sha, len(recording.tests), run.seconds, run.exit_code, run.timed_out,
                    tuple(recording.failed))


def refuse_failed(recording: recorder.Recording, commit: str, cfg: Config) -> None:
    """Raise unless the recording ran the suite (see the module's docstring)."""
    run = recording.finished
    tail = "\n".join(run.tail.splitlines()[-25:])
    where = f"recording the coverage map of {commit}"
    if run.timed_out:
        raise HotfixError(f"{where} passed the {cfg.int('check.timeout_seconds')} s limit and "
                          "was stopped; no map was saved",
                          hint="raise check.timeout_seconds in hotfix.toml")
    code = run.exit_code
    if code not in (0, 1):
        raise HotfixError(f"{where} failed: pytest exited with code {code}, it "
                          f"{_EXIT.get(code or 0, 'failed')}; no map was saved. pytest said:\n"
                          f"{tail}", hint=_HINT.get(code or 0, "fix what pytest reports above"))
    if recording.collection_errors:
        files = ", ".join(recording.collection_errors[:5])
        raise HotfixError(f"{where} failed: pytest could not collect {files}, so their tests "
                          f"would be missing from the map; no map was saved. pytest said:\n"
                          f"{tail}", hint=_HINT[2])
    if not recording.tests:
        raise HotfixError(f"no tests ran at {commit}, so there is no coverage map to record. "
                          f"pytest said:\n{tail}",
                          hint="add tests (pytest finds tests/test_*.py), then record again")
