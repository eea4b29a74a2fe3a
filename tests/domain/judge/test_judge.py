"""The Judge: decisions, carried evidence, sample ratio, no data, the latency mixture."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import norm

from hotfix.domain.judge.engine import Judge, JudgeSettings
from hotfix.domain.judge.latency import bound_offset, half_normal_log_e


def traffic(seed: int, n: int, *, share: float = 0.5, errors: float = 0.01,
            slower: float = 1.0, base_errors: float = 0.01):
    rng = np.random.default_rng(seed)
    canary = rng.random(n) < share
    ok = rng.random(n) >= np.where(canary, errors, base_errors)
    latency = np.exp(math.log(50.0) + 0.5 * rng.standard_normal(n)) * np.where(canary, slower, 1.0)
    return canary, ok, latency


def test_a_doubled_error_rate_is_rolled_back_with_its_numbers() -> None:
    verdict = Judge().update(*traffic(1, 40_000, errors=0.02), expected_canary_share=0.5)
    assert verdict.decision == "rollback"
    errors = verdict.metric("errors")
    assert errors.regressed_at is not None
    assert errors.lower > 1.0
    assert "error rate" in verdict.reason
    assert verdict.to_dict()["metrics"]["errors"]["e_regression"] >= 20


def test_slower_canary_is_rolled_back_on_latency() -> None:
    verdict = Judge().update(*traffic(2, 10_000, slower=1.3))
    assert verdict.decision == "rollback"
    assert verdict.metric("latency").lower > 1.0
    assert "latency" in verdict.reason


def test_an_identical_canary_is_promoted_and_never_rolled_back() -> None:
    verdict = Judge().update(*traffic(3, 60_000), expected_canary_share=0.5)
    assert verdict.decision == "promote"
    assert all(m.upper < m.tolerance for m in verdict.metrics)


def test_identical_canaries_rarely_roll_back() -> None:
    """Seeded Monte Carlo, checked after every request: at most α of 200 runs."""
    rollbacks = sum(
        Judge().update(*traffic(1000 + seed, 8_000)).decision == "rollback" for seed in range(200)
    )
    assert rollbacks <= 10


@pytest.mark.parametrize("n", [0, 1, 30])
def test_no_data_never_promotes(n: int) -> None:
    judge = Judge()
    judge.update(*traffic(4, n))
    verdict = judge.finish()
    assert verdict.decision == "inconclusive"
    assert verdict.decided_at is None


def test_requests_without_latency_are_no_evidence_for_latency() -> None:
    canary, ok, _ = traffic(5, 60_000)
    judge = Judge()
    verdict = judge.update(canary, ok, np.full(canary.size, np.nan))
    assert verdict.decision == "continue"
    assert verdict.metric("latency").within_tolerance_at is None
    assert judge.finish().decision == "inconclusive"


def test_a_canary_that_gets_no_traffic_is_never_promoted() -> None:
    canary, ok, latency = traffic(6, 50_000, share=0.0)
    judge = Judge()
    judge.update(canary, ok, latency)
    assert judge.finish().decision == "inconclusive"


def test_sample_ratio_mismatch_is_flagged_and_withholds_promotion() -> None:
    """The router sends 40% while 50% was configured: flagged, no promotion."""
    judge = Judge()
    verdict = judge.update(*traffic(7, 60_000, share=0.4), expected_canary_share=0.5)
    assert verdict.sample_ratio.flagged
    assert verdict.decision == "continue"
    assert "sample-ratio mismatch" in verdict.reason
    assert verdict.to_dict()["sample_ratio"]["flagged"] is True


def test_a_correct_split_is_not_flagged_across_weight_changes() -> None:
    judge = Judge()
    for step, share in enumerate((0.05, 0.25, 0.5)):
        verdict = judge.update(*traffic(8 + step, 20_000, share=share), share)
    assert not verdict.sample_ratio.flagged


def test_evidence_is_carried_across_weight_changes() -> None:
    """5% → 25% → 50%: the carried judge decides before one restarted at every step."""
    steps = [(0.05, 6_000), (0.25, 6_000), (0.5, 20_000)]
    carried, seen, restarted = Judge(), 0, None
    for k, (share, n) in enumerate(steps):
        batch = traffic(20 + k, n, share=share, errors=0.02)
        verdict = carried.update(*batch, expected_canary_share=share)
        fresh = Judge().update(*batch, expected_canary_share=share)
        if restarted is None and fresh.decided_at is not None:
            restarted = seen + fresh.decided_at
        seen += n
    assert verdict.decision == "rollback"
    assert verdict.decided_at is not None
    assert restarted is None or verdict.decided_at < restarted


@given(st.lists(st.integers(1, 3_000), min_size=1, max_size=6))
@settings(max_examples=15, deadline=None)
def test_the_decision_does_not_depend_on_batching(cuts: list[int]) -> None:
    canary, ok, latency = traffic(9, 12_000, errors=0.025)
    whole = Judge().update(canary, ok, latency)
    judge, start = Judge(), 0
    for cut in [*cuts, canary.size]:
        end = min(canary.size, start + cut)
        verdict = judge.update(canary[start:end], ok[start:end], latency[start:end])
        start = end
    assert (verdict.decision, verdict.decided_at) == (whole.decision, whole.decided_at)


def test_rollback_is_final() -> None:
    judge = Judge()
    first = judge.update(*traffic(10, 20_000, errors=0.05))
    later = judge.update(*traffic(11, 50_000))
    assert first.decision == later.decision == "rollback"
    assert later.decided_at == first.decided_at


def test_verdict_is_json_safe_at_every_stage() -> None:
    judge = Judge()
    for n in (0, 10, 200, 5_000):
        text = json.dumps(judge.update(*traffic(n, n)).to_dict(), allow_nan=False)
        assert json.loads(text)["decision"] in {"continue", "rollback", "promote"}
    body = json.loads(json.dumps(judge.finish().to_dict(), allow_nan=False))
    assert set(body["metrics"]) == {"errors", "latency", "tail"}
    assert body["threshold"] == 20


def test_a_metric_with_weight_zero_is_off() -> None:
    judge = Judge(JudgeSettings(weight_tail=0.0))
    verdict = judge.update(*traffic(12, 1_000))
    assert [m.name for m in verdict.metrics] == ["errors", "latency"]


@pytest.mark.parametrize(
    "bad", [{"alpha": 0.0}, {"alpha": 1.5}, {"burn_in": 1}, {"weight_errors": -1.0},
            {"weight_errors": 0.0, "weight_latency": 0.0, "weight_tail": 0.0}],
)
def test_invalid_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="invalid judge settings"):
        JudgeSettings(**bad)  # type: ignore[arg-type]


def test_mismatched_batch_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        Judge().update([True], [True, False], [1.0])


@given(st.floats(-30, 30), st.floats(0.5, 5_000), st.floats(0.02, 1.0))
@settings(max_examples=60, deadline=None)
def test_half_normal_mixture_matches_quadrature(a: float, info: float, tau: float) -> None:
    """Oracle: ∫ 2 φ(Δ/τ)/τ · exp(aΔ − IΔ²/2) dΔ over Δ > 0, by quadrature."""

    def log_f(d: float) -> float:
        return math.log(2 / tau) + float(norm.logpdf(d / tau)) + a * d - info * d * d / 2

    b = info + 1 / tau**2
    peak = max(a, 0.0) / b
    value, _ = quad(
        lambda d: math.exp(log_f(d) - log_f(peak)), 0, peak + 40 / math.sqrt(b),
        points=[peak], limit=400,
    )
    ours = float(half_normal_log_e(np.array(a), np.array(info), tau))
    assert math.isclose(ours, math.log(value) + log_f(peak), rel_tol=1e-6, abs_tol=1e-6)


def test_latency_bound_is_where_the_mixture_reaches_one_over_alpha() -> None:
    width = bound_offset(400.0, 0.1, 0.05)
    at = float(half_normal_log_e(np.array(width * 400.0), np.array(400.0), 0.1))
    assert math.isclose(at, math.log(20), rel_tol=1e-9)


def loaded_steps(seed: int, *, slower: float = 1.0):
    """An identical canary at 10% on a quiet machine, then at 50% while load makes every
    request 4× slower: the load, not the canary, moves the level between the steps."""
    out = []
    for k, (share, level) in enumerate(((0.1, 20.0), (0.5, 80.0))):
        canary, ok, latency = traffic(seed * 2 + k, 3_000, share=share, errors=0.0,
                                      base_errors=0.0)
        out.append((canary, ok, latency / 50.0 * level * np.where(canary, slower, 1.0), share))
    return out


def test_load_that_changes_with_the_split_is_no_evidence_against_the_canary() -> None:
    """Pooled means would see the canary 'slower' (it has more of its requests in the slow
    step); blocks of consecutive requests compare like with like."""
    rollbacks = 0
    for seed in range(40):
        judge = Judge()
        for canary, ok, latency, share in loaded_steps(seed):
            verdict = judge.update(canary, ok, latency, share)
        rollbacks += verdict.decision == "rollback"
    assert rollbacks <= 2  # α = 5% for latency alone would be 2 of 40


def test_a_slower_canary_is_still_caught_under_changing_load() -> None:
    judge = Judge()
    for canary, ok, latency, share in loaded_steps(3, slower=1.25):
        verdict = judge.update(canary, ok, latency, share)
    assert verdict.decision == "rollback"
    assert "latency" in verdict.reason


def test_promotion_does_not_wait_on_the_tail() -> None:
    """A fix (20% errors → none) with the same latency: promoted once errors and latency are
    shown fine, long before a slow-request rate of 5% could be shown below 1.5× the
    baseline's."""
    verdict = Judge().update(*traffic(31, 4_000, errors=0.0, base_errors=0.2),
                             expected_canary_share=0.5)
    assert verdict.decision == "promote"
    tail = verdict.to_dict()["metrics"]["tail"]
    assert tail["e_noninferior"] is None
    assert tail["tolerance"] is None
    assert "slow requests" not in verdict.reason


def test_the_slow_threshold_comes_from_the_baselines_first_tail_burn_in_latencies() -> None:
    canary, ok, latency = traffic(32, 3_000)
    ok[:] = True
    judge = Judge(JudgeSettings(tail_burn_in=800))
    judge.update(canary, ok, latency)
    first = np.flatnonzero(~canary)[:800]
    expected = np.quantile(np.log(latency[first]), 0.95)
    verdict = judge.verdict()
    assert math.isclose(verdict.metric("latency").counts["tail_threshold_ms"],
                        math.exp(expected), rel_tol=1e-9)
    tail = verdict.metric("tail").counts
    assert tail["baseline"] == (~canary[first[-1] + 1:]).sum()
