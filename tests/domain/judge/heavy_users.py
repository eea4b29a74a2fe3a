"""Simulated flag rollouts with heavy users: a few users make a large share of the requests
and fail far more often than the rest, and a sticky split assigns users to variants.

    pop = population(np.random.default_rng(1))
    run(rng, pop, UserJudge(...), request_judge=Judge(...))   # first decision of each

The variant changes nothing unless ``effect`` ≠ 1 (the canary's failure probability is
multiplied by it) or ``slowdown`` ≠ 1 (its latencies are), so with both 1 every rollback is
a false one. With ``latency=True`` requests also take time: each user has a typical
latency (the heavy users' slow, ``heavy_ms``: big carts), a request's is that times
log-normal noise, and the app counts a user at their first request slower than
``SLOW_MS``; both judges then judge latency too (the user judge on slow users, the request
judge with its latency and tail tests). Used by tests/domain/judge/test_users.py and
bench/flag_judge_bench.py.
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
SLOW_MS = 250.0
"""The app's threshold: a request slower than this makes its user slow (once)."""


@dataclass(frozen=True)
class Population:
    traffic: Floats  # each user's share of the requests (sums to 1)
    fail: Floats  # each user's chance that a request fails
    bucket: Floats  # each user's place in the split, uniform on [0, 1), fixed
    speed: Floats | None = None  # each user's typical latency (ms), if requests take time


def population(rng: np.random.Generator, users: int = 3000, heavy: int = 8,
               heavy_traffic: float = 0.3, fail: float = 0.01, heavy_fail: float = 0.15,
               latency: bool = False, heavy_ms: float = 180.0) -> Population:
    """``heavy`` users make ``heavy_traffic`` of the requests and fail ``heavy_fail`` of them;
    the rest share the remaining traffic unevenly (log-normal) and fail ``fail``. With
    ``latency``, the heavy users' typical latency is ``heavy_ms`` (a fifth of their requests
    slower than ``SLOW_MS``), the others' log-normal about 60 ms (0.6 % of theirs)."""
    light = rng.lognormal(0.0, 1.0, users - heavy)
    traffic = np.concatenate([np.full(heavy, heavy_traffic / heavy),
                              (1 - heavy_traffic) * light / light.sum()])
    rates = np.concatenate([np.full(heavy, heavy_fail), np.full(users - heavy, fail)])
    bucket = rng.random(users)
    speed = (np.concatenate([np.full(heavy, heavy_ms), rng.lognormal(np.log(60.0), 0.4,
                                                                      users - heavy)])
             if latency else None)
    return Population(traffic, rates, bucket, speed)


def latency_only(alpha: float = 0.05) -> JudgeSettings:
    """The request judge's latency and tail tests alone (no errors)."""
    return JudgeSettings(alpha=alpha, weight_errors=0.0)


def settings(alpha: float = 0.05, latency: bool = False) -> JudgeSettings:
    """Errors only, so the request judge and the user judge test the same thing; with
    ``latency`` the default weights (errors 0.7; latency 0.25 and tail 0.05, which the user
    judge gives its one latency metric, users slow)."""
    return (JudgeSettings(alpha=alpha) if latency
            else JudgeSettings(alpha=alpha, weight_latency=0.0, weight_tail=0.0))


@dataclass
class Outcome:
    users: str  # the user judge's first decision: rollback, promote or continue
    requests: str  # the request judge's, on the same requests
    users_srm: bool  # the sample-ratio check on users flagged
    requests_srm: bool  # ... on requests flagged
    users_by: str | None = None  # the metric the user judge rolled back on


def run(rng: np.random.Generator, pop: Population, *, effect: float = 1.0,
        slowdown: float = 1.0, per_look: int = 2000, alpha: float = 0.05,
        with_requests: bool = True, request_settings: JudgeSettings | None = None) -> Outcome:
    """One rollout through ``SCHEDULE``: both judges fed the same stream, each stopped at
    its first rollback or promotion. Latency is judged when ``pop`` has speeds; the request
    judge with ``request_settings`` if given (say, its latency tests alone)."""
    latency = pop.speed is not None
    users = UserJudge(settings(alpha, latency), "slow_users" if latency else None)
    requests = Judge(request_settings or settings(alpha, latency))
    seen, failed, slowed = (np.zeros(pop.bucket.size, dtype=bool) for _ in range(3))
    first: dict[str, str] = {}
    cdf = np.cumsum(pop.traffic)
    for share, looks in SCHEDULE:
        for _ in range(looks):
            who = np.minimum(np.searchsorted(cdf, rng.random(per_look)), cdf.size - 1)
            canary = pop.bucket[who] < share
            bad = rng.random(per_look) < pop.fail[who] * np.where(canary, effect, 1.0)
            ms = np.full(per_look, 10.0)
            if pop.speed is not None:
                ms = (pop.speed[who] * rng.lognormal(0.0, 0.4, per_look)
                      * np.where(canary, slowdown, 1.0))
            arm = pop.bucket < share
            slow = _sides(_first(who[ms > SLOW_MS], slowed), arm) if latency else None
            users.observe(_sides(_first(who, seen), arm), _sides(_first(who[bad], failed), arm),
                          share, slow=slow)
            _note(first, "users", users.decision)
            if with_requests and "requests" not in first:
                got = requests.update(canary, ~bad, ms, share)
                _note(first, "requests", got.decision)
    decided = first.get("users", "continue")
    return Outcome(decided, first.get("requests", "continue"), users.srm_at is not None,
                   with_requests and requests.srm_at is not None,
                   users.regressed if decided == "rollback" else None)


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
