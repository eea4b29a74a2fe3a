"""The fake traffic itself: as many requests as the clock and rate say, split as the router
says, failing and taking as long as each version's profile says."""

from __future__ import annotations

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.metrics.fake import FakeTraffic, Profile
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.ports import Split

SPLIT = Split({"v1": ("a:1",), "v2": ("a:2",)}, {"v1": 75.0, "v2": 25.0})


def running(split: Split = SPLIT) -> FakeRouter:
    router = FakeRouter()
    router.ensure()
    router.apply(split)
    return router


def test_requests_follow_the_rate_and_the_live_weights() -> None:
    clock = ManualClock()
    traffic = FakeTraffic(clock, running(), rate=200.0)
    source = traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=None)
    clock.advance(10.0)
    obs = source.poll()
    assert len(obs) == 2000
    assert 400 < obs.canary_count < 600  # 25 % of 2000, give or take the draw
    assert list(obs.t) == sorted(obs.t)
    assert obs.t[0] > clock.time() - 10.0
    assert obs.t[-1] == clock.time()


def test_each_version_fails_and_lasts_as_its_profile_says() -> None:
    clock = ManualClock()
    profiles = {"v1": Profile(error_rate=0.0, latency_ms=10.0, sigma=0.0),
                "v2": Profile(error_rate=1.0, latency_ms=80.0, sigma=0.0)}
    traffic = FakeTraffic(clock, running(), profiles, rate=100.0)
    source = traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=None)
    clock.advance(5.0)
    obs = source.poll()
    assert obs.ok[~obs.canary].all()
    assert not obs.ok[obs.canary].any()
    assert set(obs.latency_ms[obs.canary].round(6)) == {80.0}
    assert set(obs.latency_ms[~obs.canary].round(6)) == {10.0}


def test_no_router_no_split_or_no_rate_is_no_traffic() -> None:
    clock = ManualClock()
    down = FakeRouter()
    empty = running(Split({}, {}))
    for traffic in (FakeTraffic(clock, down), FakeTraffic(clock, empty),
                    FakeTraffic(clock, running(), rate=0.0)):
        source = traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=None)
        clock.advance(30.0)
        assert len(source.poll()) == 0


def test_what_flowed_before_a_source_opened_is_not_its_own() -> None:
    clock = ManualClock()
    traffic = FakeTraffic(clock, running(), rate=10.0)
    clock.advance(3.0)
    source = traffic.watch(canary="v2", baseline="v1", instances=dict, cursor=None)
    assert len(traffic.log.rows) == 30
    clock.advance(1.0)
    assert len(source.poll()) == 10
