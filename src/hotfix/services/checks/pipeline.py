"""The check pipeline on one commit: scope guard → environment → impact → targeted → full.

Runs in a throw-away worktree at the exact commit, with the cached check environment.
Reports progress through ``on_progress``; returns a ``CheckOutcome`` (never prints).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.testing import venv
from hotfix.adapters.testing.pytest_run import is_pytest, run_tests
from hotfix.config import Config
from hotfix.domain.checks.scope import ScopeReport, check_scope
from hotfix.domain.checks.testrun import Progress, RunResult, merge_retry
from hotfix.ports import Clock, GitRepo
from hotfix.ports.ci import CIPipeline
from hotfix.services.checks.ci import ci_run
from hotfix.services.checks.coverage_map import check_env
from hotfix.services.checks.impact import ImpactReport, select_for
from hotfix.services.checks.policy import Range, scope_rules

OnProgress = Callable[[Progress], None]
MAX_RETRIED = 20  # more failures than this are not a flake: no retry


@dataclass
class CheckOutcome:
    range: Range
    scope: ScopeReport
    scope_override: dict[str, str] | None = None
    impact: ImpactReport | None = None
    env: venv.Env | None = None
    packages: dict[str, str] = field(default_factory=dict)
    runs: list[RunResult] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0

    @property
    def blocked(self) -> bool:
        return not self.scope.ok and self.scope_override is None

    @property
    def passed(self) -> bool:
        return (not self.blocked and self.problem is None and bool(self.runs)
                and all(r.passed for r in self.runs) and self.runs[-1].stage in ("full", "ci"))

    def to_payload(self) -> dict[str, Any]:
        """What the ``check`` event records."""
        return {
            "passed": self.passed, "commit": self.range.head_sha, "base": self.range.base,
            "base_sha": self.range.base_sha, "blocked": self.blocked, "problem": self.problem,
            "scope": self.scope.to_dict(), "scope_override": self.scope_override,
            "impact": _impact_summary(self.impact), "seconds": round(self.seconds, 3),
            "runs": [r.to_dict() for r in self.runs],
            "flaky": [t for r in self.runs for t in r.flaky],
            "environment": {**(self.env.to_dict() if self.env else {}),
                            "packages": self.packages},
        }


def _impact_summary(report: ImpactReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    sel = report.selection
    return {"strategy": sel.strategy, "selected": list(sel.selected)[:200],
            "selected_count": len(sel.selected), "total_tests": sel.total_tests,
            "notes": list(sel.notes), "map": report.map_note,
            "syntax_errors": [p.to_dict() for p in sel.syntax_errors],
            "reasons": {t: sel.reasons[t] for t in list(sel.selected)[:50]}}


def run_pipeline(git: GitRepo, cfg: Config, found: Range, *, clock: Clock,
                 keep_going: bool = False,
                 waiver: str | None = None, override: dict[str, str] | None = None,
                 on_progress: OnProgress = lambda _: None,
                 ci: CIPipeline | None = None, branch: str = "") -> CheckOutcome:
    """The scope guard, then the tests: here (targeted, then the suite) or, with ``ci``, in
    the team's pipeline on ``branch`` (services/checks/ci.py)."""
    start = clock.monotonic()
    on_progress(Progress("scope", f"scope guard on {found.base}..{found.head_sha[:12]}"))
    changes = git.diff(found.base_sha, found.head_sha)
    outcome = CheckOutcome(found, check_scope(changes, scope_rules(cfg), waiver),
                           override if override else None)
    if outcome.scope.ok:
        outcome.scope_override = None
    if not outcome.blocked and ci is not None:
        outcome.runs.append(ci_run(git, cfg, ci, found, branch, on_progress))
        if not outcome.runs[-1].passed:
            outcome.problem = outcome.runs[-1].output_tail
    elif not outcome.blocked:
        _in_worktree(git, cfg, outcome, keep_going, on_progress, clock)
    outcome.seconds = clock.monotonic() - start
    on_progress(Progress("done", "passed" if outcome.passed else "failed"))
    return outcome


def _in_worktree(git: GitRepo, cfg: Config, outcome: CheckOutcome, keep_going: bool,
                 on_progress: OnProgress, clock: Clock) -> None:
    home = git.home()
    with git.detached(outcome.range.head_sha, "check") as tree:
        on_progress(Progress("environment", "preparing the check environment"))
        outcome.env = check_env(home, tree, cfg)
        outcome.packages = venv.packages(outcome.env.python)
        on_progress(Progress("environment", ("reused" if outcome.env.reused else "built") +
                             f" {outcome.env.path} in {outcome.env.seconds:.1f}s"))
        outcome.impact = select_for(git, cfg, outcome.range, clock=clock)
        sel = outcome.impact.selection
        on_progress(Progress("impact", f"{len(sel.selected)} of {sel.total_tests} tests "
                                       f"selected ({sel.strategy})", total=len(sel.selected)))
        runner = _Runner(cfg, tree, outcome.env, home, on_progress)
        if sel.selected and is_pytest(cfg.list("check.test_command")):
            outcome.runs.append(runner.run("targeted", list(sel.selected)))
            if not outcome.runs[-1].passed and not keep_going:
                outcome.problem = "a targeted test failed: the full suite was not run"
                return
        outcome.runs.append(runner.run("full", None))
        if outcome.runs[-1].no_tests:
            outcome.problem = "the project has no tests: nothing was verified"


@dataclass
class _Runner:
    cfg: Config
    tree: Path
    env: venv.Env
    home: Path
    on_progress: OnProgress

    def run(self, stage: str, tests: list[str] | None) -> RunResult:
        self.on_progress(Progress(stage, f"running {len(tests) if tests else 'all'} tests",
                                  total=len(tests) if tests else None))
        first = self._once(stage, tests)
        failed = [c.nodeid for c in first.failures if "::" in c.nodeid]
        if (not self.cfg.bool("check.retry_failed") or first.timed_out or not failed
                or len(failed) > MAX_RETRIED):
            return first
        self.on_progress(Progress("retry", f"retrying {len(failed)} failed test(s) once"))
        return merge_retry(first, self._once("retry", failed))

    def _once(self, stage: str, tests: list[str] | None) -> RunResult:
        return run_tests(command=self.cfg.list("check.test_command"),
                         python=str(self.env.python), cwd=self.tree,
                         env=venv.test_env(self.env, self.tree), tests=tests, stage=stage,
                         timeout=self.cfg.float("check.timeout_seconds"),
                         junit_path=self.home / ".hotfix" / "check" / f"junit-{stage}.xml",
                         on_progress=self.on_progress)
