"""Run verdicts: flaky tests are retried once and marked, never hidden."""

from __future__ import annotations

from hotfix.domain.checks.testrun import Case, RunResult, failures_first, merge_retry


def result(*cases: Case, code: int = 1) -> RunResult:
    return RunResult("full", ("pytest",), code, 1.0, cases)


def test_a_test_passing_on_retry_is_flaky_and_counts_as_passed() -> None:
    first = result(Case("t::a", "passed", 0.1), Case("t::b", "failed", 0.2, "boom"))
    merged = merge_retry(first, result(Case("t::b", "passed", 0.3), code=0))
    assert merged.passed
    assert merged.flaky == ("t::b",)
    assert merged.counts()["passed"] == 2
    assert "flaky" in merged.cases[1].message
    assert merged.to_dict()["flaky"] == ["t::b"]


def test_a_test_failing_twice_fails() -> None:
    first = result(Case("t::b", "failed", 0.2))
    merged = merge_retry(first, result(Case("t::b", "failed", 0.2)))
    assert not merged.passed
    assert merged.flaky == ()
    assert [c.nodeid for c in merged.failures] == ["t::b"]


def test_no_tests_and_timeouts_never_pass() -> None:
    assert not RunResult("full", (), 5, 0.1).passed
    assert RunResult("full", (), 5, 0.1).no_tests
    assert not RunResult("full", (), 0, 0.1).passed  # exit 0 yet nothing ran
    timed = RunResult("full", (), None, 9.0, (Case("t::a", "passed", 1),), timed_out=True)
    assert not timed.passed


def test_failures_first() -> None:
    cases = [Case("a", "passed", 0), Case("b", "failed", 0), Case("c", "error", 0)]
    assert [c.nodeid for c in failures_first(cases)] == ["b", "c", "a"]
