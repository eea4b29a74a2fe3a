"""The CI adapters against local stand-ins of GitHub Actions, Jenkins and CircleCI (real
HTTP on loopback): a run found by its commit, its verdict and tests; faults said clearly."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from hotfix.adapters.ci.circleci import CircleCI
from hotfix.adapters.ci.github import GitHubActions
from hotfix.adapters.ci.http import Api
from hotfix.adapters.ci.jenkins import Jenkins
from hotfix.errors import UsageError
from hotfix.ports.ci import CIPipeline
from tests.adapters.ci.standins import (
    SHAS,
    TOKEN,
    Behaviour,
    circleci_app,
    github_app,
    jenkins_app,
    serve,
)

SHA = "a" * 40
SLEPT: list[float] = []


def fake_clock() -> Callable[[], float]:
    ticks = itertools.count(0.0, 1.0)
    return lambda: next(ticks)


def sleep(seconds: float) -> None:
    SLEPT.append(seconds)


@contextmanager
def pipeline(system: str, b: Behaviour, token: str = TOKEN) -> Iterator[CIPipeline]:
    SHAS["hotfix/1.1.1"] = SHA
    if system == "github-actions":
        with serve(github_app(b)) as url:
            api = Api(system, url, {"Authorization": f"Bearer {token}"}, "GITHUB_TOKEN",
                      sleep=sleep)
            ci: CIPipeline = GitHubActions(api, "shop/app", "hotfix-check.yml",
                                           poll_seconds=0.01, clock=fake_clock())
            try:
                yield ci
            finally:
                ci.close()
    elif system == "jenkins":
        base: list[str] = []
        with serve(jenkins_app(b, base)) as url:
            base.append(url)
            api = Api(system, url, {}, "JENKINS_API_TOKEN", auth=("ada", token), sleep=sleep)
            ci = Jenkins(api, "f/app", poll_seconds=0.01, clock=fake_clock())
            try:
                yield ci
            finally:
                ci.close()
    else:
        with serve(circleci_app(b)) as url:
            api = Api(system, url, {"Circle-Token": token}, "CIRCLECI_TOKEN", sleep=sleep)
            ci = CircleCI(api, "gh/shop/app", poll_seconds=0.01, clock=fake_clock())
            try:
                yield ci
            finally:
                ci.close()


SYSTEMS = ["github-actions", "jenkins", "circleci"]


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_green_run_with_its_tests(system: str) -> None:
    b = Behaviour()
    progress: list[str] = []
    with pipeline(system, b) as ci:
        result = ci.run("hotfix/1.1.1", SHA, progress.append)
    assert (result.conclusion, result.head_sha) == ("success", SHA)
    assert [c.outcome for c in result.cases] == ["passed", "passed"]
    assert result.url
    assert progress


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_red_run_names_the_failing_test(system: str) -> None:
    with pipeline(system, Behaviour(conclusion="failure")) as ci:
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    assert result.conclusion == "failure"
    failed = [c for c in result.cases if c.outcome == "failed"]
    assert len(failed) == 1
    assert "test_us" in failed[0].nodeid
    assert "500" in failed[0].message


@pytest.mark.parametrize("system", SYSTEMS)
def test_cancelled_and_never_started(system: str) -> None:
    with pipeline(system, Behaviour(conclusion="cancelled")) as ci:
        assert ci.run("hotfix/1.1.1", SHA, lambda _: None).conclusion == "cancelled"
    with pipeline(system, Behaviour(starts=False)) as ci:
        ci.start_timeout = 3  # type: ignore[attr-defined]
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    assert result.conclusion == "never_started"
    assert "within 3 s" in result.detail


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_run_reports_the_commit_it_really_tested(system: str) -> None:
    with pipeline(system, Behaviour(tested_sha="b" * 40)) as ci:
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    if system == "github-actions":  # a run on another commit is never taken as ours
        assert result.conclusion == "never_started"
    else:
        assert result.head_sha == "b" * 40


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_refused_token_names_its_variable_and_never_shows_it(system: str) -> None:
    with pipeline(system, Behaviour(), token="wrong-token") as ci, \
            pytest.raises(UsageError) as refused:
        ci.run("hotfix/1.1.1", SHA, lambda _: None)
    variable = {"github-actions": "GITHUB_TOKEN", "jenkins": "JENKINS_API_TOKEN",
                "circleci": "CIRCLECI_TOKEN"}[system]
    assert f"${variable}" in refused.value.message
    assert "wrong-token" not in refused.value.message + (refused.value.hint or "")


def test_429_is_retried_after_the_time_it_asks() -> None:
    SLEPT.clear()
    b = Behaviour(throttle=2)
    with pipeline("github-actions", b) as ci:
        result = ci.run("hotfix/1.1.1", SHA, lambda _: None)
    assert result.conclusion == "success"
    assert SLEPT[:2] == [1.0, 1.0]  # Retry-After: 1, twice

