"""The canary loop judged from aggregates, as from the team's monitoring: the fake traffic
counted per window (requests, 5xx, a latency histogram per version), read through the
monitoring sources' ``Windows`` on the manual clock."""

from __future__ import annotations

from typing import Any

import numpy as np

from hotfix.adapters.metrics.fake import Profile
from hotfix.adapters.metrics.window import Windows
from hotfix.domain.judge.engine import Judge
from hotfix.domain.judge.intervals import Histogram, Interval
from hotfix.domain.rollout.state import Status
from hotfix.ports import Observations
from tests.services.rollout.rollout_fakes import ScriptedJudge, World
from tests.services.rollout.test_canary_loop import LENIENT

BOUNDS = (5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0)


def monitoring(world: World) -> Windows:
    """What a monitoring system would report of the world's traffic, window by window."""

    def read(start: float, end: float) -> Interval:
        world.traffic.flow()
        rows = [r for r in world.traffic.log.rows if start <= r[0] < end]
        per = {v: [r for r in rows if r[1] == v] for v in ("v2", "v1")}
        hist = [tuple(float(x) for x in np.bincount(
            np.searchsorted(BOUNDS, [r[3] for r in per[v]], side="left"),
            minlength=len(BOUNDS) + 1)) for v in ("v2", "v1")]
        return Interval(start, end, (len(per["v2"]), len(per["v1"])),
                        tuple(sum(r[2] >= 500 for r in per[v]) for v in ("v2", "v1")),  # type: ignore[arg-type]
                        Histogram(BOUNDS, hist[0], hist[1]))

    return Windows(read, step=5.0, lag=0.0, clock=world.clock.time)


def test_a_good_canary_judged_from_aggregates_is_promoted() -> None:
    world = World.make(rate=200)
    rollout = world.rollout(judge=Judge(LENIENT))
    rollout.metrics = monitoring(world)
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.PROMOTED
    promote = world.events[-1][1]
    assert promote["verdict"]["decision"] == "promote"
    assert promote["requests"]["canary"] > 0
    slow = promote["verdict"]["metrics"]["latency"]["counts"]["tail_threshold_ms"]
    assert round(slow, 6) in BOUNDS


def test_a_regression_judged_from_aggregates_is_rolled_back() -> None:
    world = World.make({"v1": Profile(), "v2": Profile(error_rate=0.3)}, rate=200)
    rollout = world.rollout(judge=Judge(LENIENT))
    rollout.metrics = monitoring(world)
    rollout.enter(0)
    state = rollout.run()
    assert (state.status, state.reason) == (Status.ROLLED_BACK, "the judge found a regression")
    body = world.events[-1][1]
    assert body["errors"]["canary"] > body["errors"]["baseline"]
    assert body["verdict"]["metrics"]["errors"]["counts"]["canary_events"] == \
        body["errors"]["canary"]


class Given:
    """A metrics source that hands over the intervals it is given."""

    def __init__(self, intervals: list[Interval]) -> None:
        self.intervals = intervals

    def poll(self) -> Observations:
        out, self.intervals = self.intervals, []
        return Observations(intervals=tuple(out))

    def cursor(self) -> dict[str, Any]:
        return {}


def test_each_interval_is_judged_with_the_weight_live_throughout_it() -> None:
    world = World.make(rate=0)
    judge = ScriptedJudge()
    rollout = world.rollout(judge=judge)
    rollout.enter(0)  # 25 % from t0
    t0 = world.clock.time()
    world.clock.sleep(10)
    rollout.enter(1)  # 50 % from t0 + 10
    iv = [Interval(t0 - 20, t0 - 5, (0, 9), (0, 0)),  # before the rollout: dropped
          Interval(t0 - 5, t0 + 5, (1, 9), (0, 0)),  # began before the first step
          Interval(t0, t0 + 5, (1, 3), (0, 0)),
          Interval(t0 + 5, t0 + 15, (2, 3), (0, 0)),  # the weight changed inside it
          Interval(t0 + 10, t0 + 20, (5, 5), (0, 0))]
    rollout.metrics = Given(iv)
    rollout.replay()
    assert judge.shares == [None, 0.25, None, 0.5]
    assert judge.seen == 29  # the first interval, before the rollout, is not judged
