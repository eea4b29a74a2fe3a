"""Record a coverage map for a commit (``hotfix impact --record``)."""

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


@dataclass(frozen=True)
class Recorded:
    commit: str
    tests: int
    seconds: float
    exit_code: int | None
    timed_out: bool

    def to_dict(self) -> dict[str, Any]:
        return {"commit": self.commit, "tests": self.tests, "seconds": round(self.seconds, 3),
                "exit_code": self.exit_code, "timed_out": self.timed_out}


def record_map(git: GitRepo, cfg: Config, commit: str,
               on_line: Callable[[str], None] = lambda _: None) -> Recorded:
    """Run the whole suite of ``commit`` under coverage and store its per-test map."""
    home = git.home()
    sha = git.require_commit(commit, hint=REV_HINT)
    # the project's environment, with coverage in a throw-away overlay (never in its venv)
    with (git.detached(sha, "record") as tree,
          prepared(home, tree, sha, cfg, extra=("coverage",)) as env):
        assert env.python is not None
        run, tests = recorder.record(home=home, worktree=tree, commit=sha, python=env.python,
                                     env=env.variables,
                                     timeout=cfg.float("check.timeout_seconds"), on_line=on_line)
    if run.timed_out:
        raise HotfixError(f"recording the coverage map of {commit} passed the "
                          f"{cfg.int('check.timeout_seconds')} s limit and was stopped",
                          hint="raise check.timeout_seconds in hotfix.toml")
    if tests == 0:
        raise HotfixError(f"no tests ran at {commit}, so there is no coverage map to record",
                          hint="add tests (pytest finds tests/test_*.py), then record again")
    return Recorded(sha, tests, run.seconds, run.exit_code, run.timed_out)
