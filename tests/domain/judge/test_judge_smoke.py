"""The judge's public API, as the rollout controller uses it."""

from __future__ import annotations

import json

import numpy as np

from hotfix.domain.judge.engine import Judge, JudgeSettings


def stream(seed: int, n: int, p_canary: float, share: float = 0.5):
    rng = np.random.default_rng(seed)
    canary = rng.random(n) < share
    ok = rng.random(n) >= np.where(canary, p_canary, 0.01)
    latency = np.exp(np.log(50.0) + 0.5 * rng.standard_normal(n))
    return canary, ok, latency


def test_doubled_error_rate_is_rolled_back() -> None:
    judge = Judge(JudgeSettings())
    verdict = judge.update(*stream(1, 60_000, 0.03), expected_canary_share=0.5)
    assert verdict.decision == "rollback"
    assert verdict.decided_at is not None
    assert verdict.metric("errors").lower > 1.0


def test_no_requests_is_no_evidence() -> None:
    judge = Judge()
    verdict = judge.update([], [], [], expected_canary_share=0.05)
    assert verdict.decision == "continue"
    assert judge.finish().decision == "inconclusive"


def test_verdict_is_json_safe() -> None:
    judge = Judge()
    judge.update(*stream(2, 500, 0.01))
    text = json.dumps(judge.finish().to_dict(), allow_nan=False)
    assert json.loads(text)["decision"] == "inconclusive"
