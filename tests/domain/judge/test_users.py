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
from tests.domain.judge.heavy_users import population, run

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
