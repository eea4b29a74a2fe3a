"""Test runs as data: cases, a run's verdict, flaky tests, progress events.

A failed test is retried once; one that passes on the retry is *flaky*: it counts as
passed, and is listed under ``flaky`` on the record, never hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

NO_TESTS = 5  # pytest's exit code when it collected nothing
_EXITS = {
    0: "the test command wrote no JUnit XML, so no test result could be read",
    1: "tests failed, but their results could not be read from the JUnit XML",
    2: "pytest was interrupted (collection errors, or a plugin or conftest.py stopped it)",
    3: "pytest hit an internal error (a plugin or conftest.py crashed)",
    4: "pytest refused its command line (a usage error: an option in the project's "
       "addopts or a plugin it needs is missing)",
    5: "pytest collected no tests",
}
BAD = ("failed", "error")


@dataclass(frozen=True)
class Case:
    nodeid: str
    outcome: str  # passed | failed | error | skipped
    seconds: float
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"test": self.nodeid, "outcome": self.outcome, "seconds": round(self.seconds, 4),
                "message": self.message}


@dataclass(frozen=True)
class Progress:
    """One thing that happened while checking: shown live by the CLI."""

    stage: str  # scope | environment | impact | targeted | full | retry | done
    message: str = ""
    test: str | None = None
    outcome: str | None = None
    done: int = 0
    total: int | None = None


@dataclass(frozen=True)
class RunResult:
    stage: str
    command: tuple[str, ...]
    exit_code: int | None  # None: killed at the timeout
    seconds: float
    cases: tuple[Case, ...] = ()
    flaky: tuple[str, ...] = ()
    timed_out: bool = False
    output_tail: str = ""
    requested: int = 0  # tests asked for (0 = the whole suite)
    retried: tuple[str, ...] = field(default=())

    @property
    def failures(self) -> list[Case]:
        return [c for c in self.cases if c.outcome in BAD]

    @property
    def no_tests(self) -> bool:
        return self.exit_code == NO_TESTS or (self.exit_code == 0 and not self.cases)

    @property
    def passed(self) -> bool:
        return not (self.timed_out or self.no_tests or self.failures) and self.exit_code == 0

    @property
    def diagnosis(self) -> str | None:
        """What happened to a run that did not pass for want of a failing test."""
        if self.timed_out:
            return "killed at the time limit (check.timeout_seconds)"
        collection = [c for c in self.failures if "::" not in c.nodeid]
        if collection:
            return f"{len(collection)} file(s) could not be collected (import errors)"
        if self.failures and self.exit_code == 1:
            return None
        if self.exit_code == 0 and self.cases:
            return None
        return _EXITS.get(self.exit_code if self.exit_code is not None else -1,
                          f"the test command exited with {self.exit_code}")

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
        for case in self.cases:
            out[case.outcome] = out.get(case.outcome, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        slowest = sorted(self.cases, key=lambda c: -c.seconds)[:10]
        return {
            "stage": self.stage, "passed": self.passed, "command": list(self.command),
            "exit_code": self.exit_code, "timed_out": self.timed_out,
            "no_tests": self.no_tests, "seconds": round(self.seconds, 3),
            "counts": self.counts(), "flaky": list(self.flaky),
            "failures": [c.to_dict() for c in self.failures],
            "slowest": [c.to_dict() for c in slowest], "requested": self.requested,
            "output_tail": self.output_tail if not self.passed else "",
            "diagnosis": self.diagnosis,
        }


def merge_retry(first: RunResult, retry: RunResult) -> RunResult:
    """Fold a retry of ``first``'s failures in: passing now → flaky, failing again → failed."""
    again = {c.nodeid: c for c in retry.cases}
    cases: list[Case] = []
    flaky: list[str] = []
    for case in first.cases:
        second = again.get(case.nodeid)
        if case.outcome in BAD and second is not None and second.outcome == "passed":
            flaky.append(case.nodeid)
            cases.append(Case(case.nodeid, "passed", case.seconds + second.seconds,
                              f"flaky: failed, then passed on retry ({case.message[:200]})"))
        else:
            cases.append(case)
    still = [c for c in cases if c.outcome in BAD]
    exit_code = first.exit_code if still else 0 if first.exit_code in (0, 1) else first.exit_code
    return RunResult(first.stage, first.command, exit_code, first.seconds + retry.seconds,
                     tuple(cases), tuple(flaky), first.timed_out or retry.timed_out,
                     first.output_tail, first.requested, tuple(c.nodeid for c in first.failures))


def failures_first(cases: Sequence[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: (c.outcome not in BAD, c.nodeid))
