"""The canary loop's own logic, on the shipped fakes and a manual clock: gate, pause, promote,
rollback, resume and no traffic, each a rollout of minutes that runs in milliseconds.

The same moves end to end, with real processes, sockets and routers, are in
test_deploy_service.py and test_deploy_resume.py.
"""

from __future__ import annotations

from hotfix.adapters.metrics.fake import Profile
from hotfix.domain.judge.engine import Judge, JudgeSettings
from hotfix.domain.rollout.state import Status
from hotfix.ports import Split
from tests.services.rollout.rollout_fakes import GATED, PLAN, ScriptedJudge, World, promote_after

NO_CANARY_TRAFFIC = "no traffic to the canary at this step: waiting"
# wide tolerances, as in rollout_setup.LENIENT: a good canary is shown within them quickly
LENIENT = JudgeSettings(alpha=0.001, error_floor=0.05, latency_tolerance=1.0,
                        error_margin=2.0)


def test_a_good_canary_walks_the_plan_and_is_promoted() -> None:
    world = World.make(rate=100)
    rollout = world.rollout(judge=ScriptedJudge(promote_after(3_000)))
    rollout.enter(0)
    state = rollout.run()
    assert (state.status, state.reason) == (Status.PROMOTED,
                                            "every metric within tolerance; plan complete")
    assert world.canary_weights() == [0.0, 25.0, 50.0, 100.0]
    assert world.router.current() == Split({"v2": world.canary.addresses}, {"v2": 100.0})
    assert world.kinds() == ["deploy_step", "deploy_step", "promote"]
    assert [body["weight"] for _, body in world.events[:2]] == [25, 50]
    assert not any(world.target.alive(i) for i in world.baseline.instances)
    assert all(world.target.alive(i) for i in world.canary.instances)
    (entered_25, _), (entered_50, _) = state.weights
    assert entered_50 - entered_25 >= PLAN.steps[0].bake_seconds
    reasons = {p.reason for p in world.progress}
    assert "the judge has not yet shown the canary within tolerance on every metric" in reasons
    promote = world.events[-1][1]
    assert promote["verdict"]["decision"] == "promote"
    assert promote["requests"]["canary"] > 0
    assert promote["requests"]["baseline"] > 0
    assert world.saved[-1]["status"] == "promoted"


def test_each_step_holds_for_its_bake_time_and_its_requests() -> None:
    world = World.make(rate=2)  # 2 requests a second: min_requests, not the bake, is slowest
    rollout = world.rollout(judge=ScriptedJudge(promote_after(0)))
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.PROMOTED
    waits = [p.reason for p in world.progress if p.reason.startswith("waiting for traffic")]
    assert waits[-1].endswith("/40 canary requests at this step")
    (entered_25, _), (entered_50, _) = state.weights
    assert entered_50 - entered_25 > PLAN.steps[0].bake_seconds  # ~80 s for 40 of 25 %


def test_a_regression_rolls_the_canary_back_at_once() -> None:
    world = World.make({"v1": Profile(), "v2": Profile(error_rate=0.3)}, rate=200)
    rollout = world.rollout(judge=Judge(LENIENT))
    rollout.enter(0)
    state = rollout.run()
    assert (state.status, state.reason) == (Status.ROLLED_BACK, "the judge found a regression")
    assert state.position.step == 0  # it never reached 50 %
    assert world.router.current() == Split({"v1": world.baseline.addresses}, {"v1": 100.0})
    assert not any(world.target.alive(i) for i in world.canary.instances)
    assert all(world.target.alive(i) for i in world.baseline.instances)
    kind, body = world.events[-1]
    assert kind == "rollback"
    assert body["zero_canary_after_s"] == 0.0  # the manual clock: no time passes in apply
    assert body["verdict"]["decision"] == "rollback"
    assert body["errors"]["canary"] > body["errors"]["baseline"]


def test_no_traffic_holds_says_so_and_pauses_after_the_wait() -> None:
    world = World.make(rate=0)
    judge = ScriptedJudge()
    rollout = world.rollout(judge=judge)
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.PAUSED
    assert state.reason == f"inconclusive: gave up waiting ({NO_CANARY_TRAFFIC})"
    assert judge.finished
    assert state.verdict["decision"] == "inconclusive"
    assert "promote" not in world.kinds()
    assert world.events[-1] == ("deploy_step", {**world.events[-1][1], "paused": True,
                                                "reason": state.reason})
    assert world.router.current() is not None
    assert world.router.current().weight("v2") == 25.0  # a person decides; the weight stays
    assert all(world.target.alive(i) for i in world.canary.instances)
    assert {p.reason for p in world.progress[:-1]} == {NO_CANARY_TRAFFIC}
    assert world.clock.time() - state.weights[0][0] >= (PLAN.steps[0].bake_seconds
                                                        + PLAN.max_wait_seconds)


def test_no_traffic_rolls_back_when_inconclusive_means_rollback() -> None:
    world = World.make(rate=0)
    rollout = world.rollout(on_inconclusive="rollback")
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.ROLLED_BACK
    assert state.reason == f"inconclusive: gave up waiting ({NO_CANARY_TRAFFIC})"
    assert world.kinds()[-1] == "rollback"
    assert world.router.current() == Split({"v1": world.baseline.addresses}, {"v1": 100.0})


def test_a_gate_waits_for_approval_and_keeps_judging() -> None:
    world = World.make(rate=100)
    judge = ScriptedJudge(promote_after(3_000))
    rollout = world.rollout(plan=GATED, judge=judge)
    rollout.gate_approved = lambda step: (
        step == 1 and sum(p.status == Status.GATED for p in world.progress) >= 5)
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.PROMOTED
    assert world.kinds() == ["deploy_step", "deploy_step", "deploy_step", "promote"]
    assert {"gate": 2, "waiting": True}.items() <= world.events[1][1].items()  # said once
    assert world.events[2][1]["weight"] == 50
    gated = [p for p in world.progress if p.status == Status.GATED]
    assert {p.weight for p in gated} == {25}
    seen = [p.verdict["requests_seen"] for p in gated]
    assert seen == sorted(seen)
    assert seen[0] < seen[-1]  # the judge kept judging while it waited
    assert "gated" in [s["status"] for s in world.saved]  # for --approve-gate elsewhere


def test_a_regression_at_a_gate_still_rolls_back() -> None:
    world = World.make(rate=100)

    def decide(seen: int) -> str:
        return "rollback" if any(p.status == Status.GATED for p in world.progress) else "continue"

    rollout = world.rollout(plan=GATED, judge=ScriptedJudge(decide))
    rollout.enter(0)
    state = rollout.run()
    assert (state.status, state.reason) == (Status.ROLLED_BACK, "the judge found a regression")
    assert world.kinds() == ["deploy_step", "deploy_step", "rollback"]
    assert 50.0 not in world.canary_weights()


def test_a_loop_taken_over_by_another_controller_stops_and_touches_nothing() -> None:
    world = World.make(rate=100)
    rollout = world.rollout(stopped=lambda: len(world.progress) >= 3)
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.RUNNING
    assert len(world.progress) == 3
    assert world.canary_weights() == [0.0, 25.0]
    assert all(world.target.alive(i) for i in world.canary.instances)


def test_a_resumed_loop_replays_every_request_once_and_continues() -> None:
    world = World.make(rate=100)
    first = world.rollout(stopped=lambda: len(world.progress) >= 4)
    first.state.cursor = first.metrics.cursor()
    world.clock.advance(5)  # production traffic before the canary got any: not evidence
    first.enter(0)
    state = first.run()  # the controller dies at 25 %
    judge = ScriptedJudge(promote_after(3_000))
    resumed = world.rollout(state=state, cursor=state.cursor, judge=judge)
    resumed.replay()
    since_step = [r for r in world.traffic.log.rows if r[0] >= state.weights[0][0]]
    assert judge.seen == len(since_step)
    assert sum(resumed.tally.requests.values()) == len(world.traffic.log.rows)
    assert resumed.run().status == Status.PROMOTED
    since_step = [r for r in world.traffic.log.rows if r[0] >= state.weights[0][0]]
    assert judge.seen == len(since_step)  # nothing counted twice


def test_each_batch_is_judged_with_the_weight_live_when_it_arrived() -> None:
    world = World.make(rate=100)
    first = world.rollout(stopped=lambda: any(p.weight == 50 for p in world.progress))
    first.state.cursor = first.metrics.cursor()
    first.enter(0)
    state = first.run()
    judge = ScriptedJudge()
    world.rollout(state=state, cursor=state.cursor, judge=judge).replay()
    assert judge.shares == [0.25, 0.5]


def test_with_sticky_routing_the_share_is_not_given_to_the_judge() -> None:
    world = World.make(rate=100)
    judge = ScriptedJudge(promote_after(3_000))
    rollout = world.rollout(judge=judge, share_known=False)
    rollout.enter(0)
    assert rollout.run().status == Status.PROMOTED
    assert set(judge.shares) == {None}


def test_a_good_canary_is_promoted_by_the_real_judge() -> None:
    world = World.make({"v1": Profile(latency_ms=40), "v2": Profile(latency_ms=40)}, rate=200)
    rollout = world.rollout(judge=Judge(LENIENT))
    rollout.enter(0)
    state = rollout.run()
    assert state.status == Status.PROMOTED, state.reason
    assert state.verdict["decision"] == "promote"
