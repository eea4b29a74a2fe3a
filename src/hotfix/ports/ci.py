"""CI: the team's own pipeline runs a hotfix's tests (GitHub Actions, Jenkins, CircleCI).

A ``CIPipeline`` triggers one run for a branch at an exact commit, waits for it, and returns
what it found: the run's URL, its conclusion, the commit it really tested, and the test
cases of its JUnit report. ``hotfix.services.checks.ci`` turns that into the check's run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from hotfix.domain.checks.testrun import Case

CONCLUSIONS = ("success", "failure", "cancelled", "timed_out", "never_started")


@dataclass(frozen=True)
class CIResult:
    system: str  # github-actions | jenkins | circleci
    url: str  # the run, for people
    conclusion: str  # one of CONCLUSIONS
    head_sha: str  # the commit the run tested ("" when it never started)
    seconds: float
    cases: tuple[Case, ...] = field(default_factory=tuple)
    detail: str = ""  # what went wrong, in the CI system's words


class CIPipeline(Protocol):
    @property
    def system(self) -> str: ...

    def run(self, branch: str, sha: str, on_progress: Callable[[str], None]) -> CIResult:
        """Trigger the pipeline on ``branch`` (whose head is ``sha``) and wait for it."""
        ...

    def close(self) -> None:
        """Release its connections."""
        ...
