"""Simulated flag rollouts with heavy users: a few users make a large share of the requests
and fail far more often than the rest, and a sticky split assigns users to variants.

    pop = population(np.random.default_rng(1))
    run(rng, pop, UserJudge(...), request_judge=Judge(...))   # first decision of each

The variant changes nothing unless ``effect`` ≠ 1 (the canary's failure probability is
multiplied by it), so with ``effect=1`` every rollback is a false one. Used by
tests/domain/judge/test_users.py and bench/flag_judge_bench.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotfix.domain.judge.engine import Judge
from hotfix.domain.judge.settings import JudgeSettings
from hotfix.domain.judge.users import UserJudge

Floats = npt.NDArray[np.float64]
SCHEDULE = ((0.05, 6), (0.25, 6), (0.50, 6))
"""(canary share of users, looks at it): the default rollout plan's first steps."""


@dataclass(frozen=True)
class Population:
    traffic: Floats  # each user's share of the requests (sums to 1)
    fail: Floats  # each user's chance that a request fails
    bucket: Floats  # each user's place in the split, uniform on [0, 1), fixed


def population(rng: np.random.Generator, users: int = 3000, heavy: int = 8,
               heavy_traffic: float = 0.3, fail: float = 0.01, heavy_fail: float = 0.15
               ) -> Population:
    """``heavy`` users make ``heavy_traffic`` of the requests and fail ``heavy_fail`` of them;
    the rest share the remaining traffic unevenly (log-normal) and fail ``fail``."""
    light = rng.lognormal(0.0, 1.0, users - heavy)
    traffic = np.concatenate([np.full(heavy, heavy_traffic / heavy),
                              (1 - heavy_traffic) * light / light.sum()])
    rates = np.concatenate([np.full(heavy, heavy_fail), np.full(users - heavy, fail)])
    return Population(traffic, rates, rng.random(users))


def settings(alpha: float = 0.05) -> JudgeSettings:
    """Errors only, so the request judge and the user judge test the same thing."""
    return JudgeSettings(alpha=alpha, weight_latency=0.0, weight_tail=0.0)


@dataclass
class Outcome:
    users: str  # the user judge's first decision: rollback, promote or continue
    requests: str  # the request judge's, on the same requests
    users_srm: bool  # the sample-ratio check on users flagged
    requests_srm: bool  # ... on requests flagged


def run(rng: np.random.Generator, pop: Population, *, effect: float = 1.0,
        per_look: int = 2000, alpha: float = 0.05, with_requests: bool = True) -> Outcome:
    """One rollout through ``SCHEDULE``: both judges fed the same stream, each stopped at
    its first rollback or promotion."""
    users, requests = UserJudge(settings(alpha)), Judge(settings(alpha))
    seen = np.zeros(pop.bucket.size, dtype=bool)
    failed = np.zeros(pop.bucket.size, dtype=bool)
    first: dict[str, str] = {}
    cdf = np.cumsum(pop.traffic)
    for share, looks in SCHEDULE:
        for _ in range(looks):
            who = np.minimum(np.searchsorted(cdf, rng.random(per_look)), cdf.size - 1)
            canary = pop.bucket[who] < share
            bad = rng.random(per_look) < pop.fail[who] * np.where(canary, effect, 1.0)
            new_seen = _first(who, seen)
            new_failed = _first(who[bad], failed)
            arm = pop.bucket < share
            users.observe(_sides(new_seen, arm), _sides(new_failed, arm), share)
            _note(first, "users", users.decision)
            if with_requests and "requests" not in first:
                got = requests.update(canary, ~bad, np.full(per_look, 10.0), share)
                _note(first, "requests", got.decision)
    return Outcome(first.get("users", "continue"), first.get("requests", "continue"),
                   users.srm_at is not None, with_requests and requests.srm_at is not None)


def _first(who: npt.NDArray[np.int64], already: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """The users in ``who`` not marked in ``already``, marked now."""
    new = np.unique(who[~already[who]])
    already[new] = True
    return new


def _sides(new: npt.NDArray[np.int64], arm: npt.NDArray[np.bool_]) -> tuple[int, int]:
    canary = int(arm[new].sum())
    return canary, int(new.size) - canary


def _note(first: dict[str, str], who: str, decision: str) -> None:
    if who not in first and decision in ("rollback", "promote"):
        first[who] = decision
