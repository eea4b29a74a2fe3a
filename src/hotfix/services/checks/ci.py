"""The check's tests in the team's own CI (``check.backend``): push the exact commit to the
hotfix branch, run the pipeline there, and read its verdict like a local run.

A run counts only if it tested the checked commit (its head SHA must equal it), finished
(a cancelled, timed-out or never-started run is a failure that says so) and published a
JUnit report: a green run with no tests hotfix can see verifies nothing."""

from __future__ import annotations

from collections.abc import Callable

from hotfix.config import Config
from hotfix.domain.checks.testrun import Progress, RunResult
from hotfix.errors import GitError, UsageError
from hotfix.ports import GitRepo
from hotfix.ports.ci import CIPipeline, CIResult
from hotfix.services.checks.policy import Range


def ci_run(git: GitRepo, cfg: Config, pipeline: CIPipeline, found: Range, branch: str,
           on_progress: Callable[[Progress], None]) -> RunResult:
    """The CI pipeline's run of ``found.head_sha`` on ``branch``, as the check's run."""
    remote = cfg.str("lines.remote")
    if not git.has_remote(remote):
        raise UsageError(f"check.backend = {pipeline.system!r} runs the tests in CI, which "
                         f"needs the branch on a remote: there is no remote {remote!r}",
                         hint=f"git remote add {remote} URL, or set lines.remote")
    refusal = git.push_atomic(remote, [f"{found.head_sha}:refs/heads/{branch}"])
    if refusal is not None:
        raise GitError(f"could not push {branch} to {remote} for the CI run: {refusal[-500:]}",
                       hint=f"the remote's {branch} moved: fetch it and look (git fetch "
                            f"{remote} {branch})")
    on_progress(Progress("ci", f"pushed {found.head_sha[:12]} to {remote}/{branch}"))
    result = pipeline.run(branch, found.head_sha,
                          lambda text: on_progress(Progress("ci", text)))
    return as_run(result, found.head_sha)


def as_run(result: CIResult, sha: str) -> RunResult:
    problem = _problem(result, sha)
    passed = problem is None
    return RunResult("ci", (result.system, result.url), 0 if passed else 1, result.seconds,
                     result.cases, timed_out=result.conclusion == "timed_out",
                     output_tail=problem or result.detail)


def _problem(result: CIResult, sha: str) -> str | None:
    where = f"{result.system} run {result.url}"
    if result.conclusion == "never_started":
        return f"{where} never started: {result.detail}"
    if result.conclusion in ("cancelled", "timed_out"):
        return f"{where} was {result.conclusion.replace('_', ' ')}: {result.detail}"
    if result.head_sha and result.head_sha != sha:
        return (f"{where} tested {result.head_sha[:12]}, not the checked commit {sha[:12]}: "
                "its verdict is not this commit's")
    if result.conclusion != "success":
        return f"{where} failed ({result.detail})"
    if not result.cases:
        return (f"{where} passed but published no JUnit report: nothing hotfix can verify "
                "(docs/integrations.md shows how to publish one)")
    return None
