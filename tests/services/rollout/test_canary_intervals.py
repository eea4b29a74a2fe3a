"""The canary loop judged from aggregates, as from the team's monitoring: the fake traffic
counted per window (requests, 5xx, a latency histogram per version), read through the
monitoring sources' ``Windows`` on the manual clock."""

from __future__ import annotations

import numpy as np

from hotfix.adapters.metrics.fake import Profile
from hotfix.adapters.metrics.window import Windows
from hotfix.domain.judge.engine import Judge
from hotfix.domain.judge.intervals import Histogram, Interval
from hotfix.domain.rollout.state import Status
from tests.services.rollout.rollout_fakes import World
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
