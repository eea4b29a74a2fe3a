"""The judge of a flag rollout counts users: false rollbacks stay ≤ α with heavy users.

Simulated rollouts (tests/domain/judge/heavy_users.py): 8 of 3000 users make 30 % of the
requests and fail 15 % of them, the rest fail 1 %; a sticky split assigns users at 5 %,
25 %, then 50 %; the variant changes nothing, so every rollback is a false one. The request
judge, whose binomial assumes requests fall on the canary one by one, rolls back far more
often than α on the very same requests; the user judge stays below α and still catches a
real regression.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hotfix.domain.judge.settings import JudgeSettings
from hotfix.domain.judge.users import UserJudge
from tests.domain.judge.heavy_users import latency_only, population, run

ALPHA = 0.05


@pytest.mark.slow
def test_false_rollbacks_stay_below_alpha_with_heavy_users() -> None:
    rng = np.random.default_rng(20261202)
    runs = 400
    outcomes = [run(rng, population(rng), alpha=ALPHA, with_requests=False)
                for _ in range(runs)]
    false = sum(o.users == "rollback" for o in outcomes)
    assert false <= ALPHA * runs, f"{false} false rollbacks in {runs}"
    assert sum(o.users_srm for o in outcomes) <= 0.01 * runs  # the user split is as set
    assert sum(o.users == "promote" for o in outcomes) >= 0.2 * runs  # it does decide


@pytest.mark.slow
def test_the_request_judge_fails_on_the_same_streams() -> None:
    """Why the unit must be the user: counting requests rolls back harmless variants."""
    rng = np.random.default_rng(7)
    runs = 60
    outcomes = [run(rng, population(rng), alpha=ALPHA) for _ in range(runs)]
    assert sum(o.requests == "rollback" for o in outcomes) >= 3 * ALPHA * runs
    assert sum(o.requests_srm for o in outcomes) >= runs // 2  # heavy users move the share
    assert sum(o.users == "rollback" for o in outcomes) <= ALPHA * runs


def test_a_real_regression_is_rolled_back() -> None:
    rng = np.random.default_rng(3)
    outcomes = [run(rng, population(rng), effect=3.0, with_requests=False) for _ in range(40)]
    assert sum(o.users == "rollback" for o in outcomes) >= 36


def test_no_variant_data_is_no_evidence_and_never_promotes() -> None:
    judge = UserJudge(JudgeSettings(user_floor=0.5))
    for _ in range(50):
        verdict = judge.update_users((0, 0), (0, 0), 0.25, unlabelled=400)
    assert verdict.decision == "continue"
    assert "no data — 20000 requests counted without a variant label" in verdict.reason
    assert "without a variant label" in verdict.reason
    end = judge.finish()
    assert end.decision == "inconclusive"
    assert end.to_dict()["metrics"]["errors"]["counts"]["unlabelled_requests"] == 20000


def test_a_look_over_a_change_of_split_is_counted_not_judged() -> None:
    judge = UserJudge(JudgeSettings())
    verdict = judge.update_users((50, 0), (50, 0), None)  # would be a rollback at any share
    assert verdict.decision == "continue"
    assert verdict.to_dict()["requests"] == {"canary": 50, "baseline": 0}
    assert judge.update_users((50, 0), (50, 0), 0.05).decision == "rollback"


def test_the_verdict_shows_users_e_values_and_bounds() -> None:
    judge = UserJudge(JudgeSettings(alpha=0.05))
    for _ in range(20):
        verdict = judge.update_users((25, 75), (10, 5), 0.25)
    body = verdict.to_dict()
    assert (body["decision"], body["unit"]) == ("rollback", "user")
    errors = body["metrics"]["errors"]
    assert errors["e_regression"] >= 20.0
    assert errors["lower"] > 1.0
    assert math.isclose(errors["ratio"], 6.0)  # (200/500) / (100/1500)
    assert body["sample_ratio"]["expected_share"] == 0.25
    assert "regression shown in users failing" in body["reason"]


# ── latency: users slow (their first request slower than the app's threshold) ─────────────


@pytest.mark.slow
def test_false_rollbacks_on_latency_stay_below_its_share_of_alpha_with_heavy_users() -> None:
    """The heavy users are slow (a fifth of their requests over the threshold), the others
    rarely; the variant changes nothing. Errors and latency are judged together, each with
    its share of α (0.7 and 0.3): every rollback is false, all together ≤ α."""
    rng = np.random.default_rng(20261202)
    runs = 400
    outcomes = [run(rng, population(rng, latency=True), alpha=ALPHA, with_requests=False)
                for _ in range(runs)]
    false = [o.users_by for o in outcomes if o.users == "rollback"]
    assert len(false) <= ALPHA * runs, f"{len(false)} false rollbacks in {runs}"
    assert false.count("latency") <= 0.3 * ALPHA * runs + 2  # its share, with some slack
    assert sum(o.users == "promote" for o in outcomes) >= 0.2 * runs  # it does decide


def test_the_request_judges_latency_tests_fail_on_the_same_streams() -> None:
    """Heavy slow users put their slow requests on one variant: the request judge's latency
    and tail tests (alone) roll back harmless variants; the user judge does not."""
    rng = np.random.default_rng(11)
    outcomes = [run(rng, population(rng, latency=True), alpha=ALPHA,
                    request_settings=latency_only(ALPHA)) for _ in range(20)]
    assert sum(o.requests == "rollback" for o in outcomes) >= 3 * ALPHA * 20
    assert sum(o.users == "rollback" for o in outcomes) <= 1


def test_a_slow_variant_is_rolled_back_on_latency() -> None:
    rng = np.random.default_rng(5)
    outcomes = [run(rng, population(rng, latency=True), slowdown=1.5, with_requests=False)
                for _ in range(20)]
    assert sum(o.users == "rollback" and o.users_by == "latency" for o in outcomes) >= 18


def test_latency_rolls_back_at_its_share_of_alpha_and_says_so() -> None:
    judge = UserJudge(JudgeSettings(alpha=0.05))  # errors 0.7, latency 0.25 + tail 0.05
    assert judge.weights == pytest.approx({"errors": 0.7, "latency": 0.3})
    verdict = judge.update_users((25, 75), (0, 0), 0.25, slow=(0, 0))
    for _ in range(30):
        verdict = judge.update_users((25, 75), (1, 3), 0.25, slow=(6, 6))
        if verdict.decision != "continue":
            break
    body = verdict.to_dict()
    assert body["decision"] == "rollback"
    latency = body["metrics"]["latency"]
    assert latency["threshold_regression"] == pytest.approx(1 / (0.05 * 0.3), rel=1e-4)
    assert latency["e_regression"] >= latency["threshold_regression"]
    assert body["metrics"]["errors"]["e_regression"] < 1 / (0.05 * 0.7)
    assert latency["lower"] > 1.0
    assert latency["e_noninferior"] is None  # it only rolls back, like the tail test
    assert latency["counts"]["canary_slow_users"] == 6 * judge.looks - 6
    assert body["reason"].startswith("regression shown in users slow: ")
    assert "slower than the app's threshold" in body["reason"]
    # one metric at its share is log(w E) ≥ log 1/α: the verdict's e-value shows it
    assert body["e_value"] >= 20.0


def test_no_latency_data_withholds_promotion_and_says_so() -> None:
    def judged(slow: tuple[int, int] | None, slow_users: str | None) -> UserJudge:
        judge = UserJudge(JudgeSettings(user_floor=0.5), slow_users)
        for _ in range(20):
            judge.update_users((25, 75), (0, 1), 0.25, slow=slow)
        return judge

    missing = judged(None, "flag_slow_users_total")
    verdict = missing.verdict()
    assert verdict.decision == "continue"  # users failing shown fine, but no latency data
    assert "no latency data — no flag_slow_users_total by variant yet" in verdict.reason
    assert "promotion withheld" in verdict.reason
    assert verdict.to_dict()["metrics"]["latency"]["counts"]["slow_users_counted"] == 0
    assert missing.finish().decision == "inconclusive"
    exported = judged((0, 0), "flag_slow_users_total")  # exported, nobody slow: data
    assert exported.decision == "promote"
    assert "users slow not shown to regress (0 on the canary variant" in \
        exported.verdict().reason
    off = judged(None, None)  # rollout.flag.slow_users = "": latency not judged
    assert off.decision == "promote"
    assert set(off.verdict().to_dict()["metrics"]) == {"errors"}
    assert "latency not judged (rollout.flag.slow_users is empty)" in off.verdict().reason


def test_errors_weighed_0_roll_back_only_on_latency_and_alone_are_judged_again() -> None:
    settings = JudgeSettings(weight_errors=0.0)  # judge.weights = {latency, tail} only
    judge = UserJudge(settings)
    assert judge.weights == {"latency": 1.0}
    for _ in range(10):
        verdict = judge.update_users((25, 75), (10, 5), 0.25, slow=(0, 0))
    assert verdict.decision == "continue"  # users failing cannot roll back at weight 0
    assert verdict.to_dict()["metrics"]["errors"]["threshold_regression"] is None
    alone = UserJudge(settings, None)  # and latency not judged: errors take the whole α
    assert alone.weights == {"errors": 1.0}
    for _ in range(10):
        verdict = alone.update_users((25, 75), (10, 5), 0.25)
    assert verdict.decision == "rollback"
