"""The deploy service on the shipped fakes: deploy, resume, rollback and their record.

The real store (SQLite in the test repo) and the real state files; the target, router,
traffic and controllers are fakes on a manual clock, so each rollout takes milliseconds.
End to end, with real processes and routers: test_deploy_service.py, test_deploy_resume.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.deploy import UnhealthyInstance
from hotfix.adapters.deploy.fake import FakeControllers, FakeTarget
from hotfix.adapters.metrics.fake import FakeTraffic, Profile
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.domain.rollout.state import Status
from hotfix.errors import ConfigError, ConflictError, NotFound
from hotfix.ports import Split
from hotfix.services.context import Context
from hotfix.services.rollout import deploy
from hotfix.wiring import RolloutParts, open_context
from tests.contexts import kept
from tests.services.rollout.rollout_setup import BOSS, DEV, FAST_PLAN, LENIENT

OLD, NEW = "v1.0.0", "v1.0.1"
NO_TRAFFIC = "inconclusive: gave up waiting (no traffic to the canary at this step: waiting)"


@dataclass
class Fakes:
    clock: ManualClock
    target: FakeTarget
    router: FakeRouter
    traffic: FakeTraffic
    controllers: FakeControllers

    def parts(self) -> RolloutParts:
        return RolloutParts(target=self.target, router=self.router, metrics=self.traffic.watch,
                            controllers=self.controllers)

    def live(self) -> Split | None:
        return self.router.current()

    def running(self, version: str) -> list[Any]:
        return [i for i in self.target.started if i.version == version and self.target.alive(i)]


def settings(**extra: Any) -> dict[str, Any]:
    return {"approvals.approvers": [BOSS], "rollout.steps": FAST_PLAN,
            "rollout.max_wait_seconds": 30.0, "rollout.poll_seconds": 0.2,
            "rollout.instances": 1, **LENIENT, **extra}


def opened(repo: Path, fakes: Fakes, **extra: Any) -> Context:
    """A context on the fakes, as a new ``hotfix`` command in this repo would open it."""
    return kept(open_context(repo, {}, settings(**extra), clock=fakes.clock,
                               rollout=fakes.parts()))


def released(repo: Path, fix: Profile | None = None, rate: float = 200.0, *,
             unhealthy: tuple[str, ...] = (), **extra: Any) -> tuple[Context, str, Fakes]:
    """A hotfix released as v1.0.1 (answering as ``fix``) over v1.0.0, on fakes."""
    clock, router = ManualClock(), FakeRouter()
    traffic = FakeTraffic(clock, router, {OLD: Profile(), NEW: fix or Profile()}, rate)
    fakes = Fakes(clock, FakeTarget(versions={OLD, NEW}, unhealthy=unhealthy), router, traffic,
                  FakeControllers())
    ctx = opened(repo, fakes, **extra)
    rec = ctx.records.open("checkout answers 500 for EU cards", DEV)
    ctx.records.act(rec.key, "release", BOSS,
               {"facts": {"tag": NEW, "base_tag": OLD}}, override="test set-up")
    return ctx, rec.key, fakes


def kinds(ctx: Context, key: str) -> list[str]:
    return [e.kind for e in ctx.records.get(key).events]


def only(version: str, fakes: Fakes) -> Split:
    return Split({version: tuple(i.address for i in fakes.running(version))}, {version: 100.0})


def test_a_good_hotfix_is_promoted_and_becomes_production(repo: Path) -> None:
    ctx, key, fakes = released(repo)
    seen = []
    out = deploy.deploy(ctx, key, DEV, on_progress=seen.append)
    assert out.status == Status.PROMOTED, out.reason
    assert out.to_dict()["status"] == "promoted"
    assert ctx.records.get(key).state.value == "deployed"
    assert kinds(ctx, key)[-4:] == ["deploy", "deploy_step", "deploy_step", "promote"]
    promote = ctx.records.get(key).last("promote")
    assert promote is not None
    assert promote["verdict"]["decision"] == "promote"
    assert fakes.live() == only(NEW, fakes)
    assert fakes.running(OLD) == []
    live = ctx.rollout.states.load_env()
    assert live is not None
    assert live.version == NEW
    assert {p.weight for p in seen} == {25, 50}
    assert seen[-1].requests["canary"] > 0
    assert seen[-1].requests["baseline"] > 0


def test_a_bad_hotfix_is_rolled_back_by_the_judge(repo: Path) -> None:
    ctx, key, fakes = released(repo, Profile(error_rate=0.3))
    out = deploy.deploy(ctx, key, DEV)
    assert (out.status, out.reason) == (Status.ROLLED_BACK, "the judge found a regression")
    assert out.verdict["decision"] == "rollback"
    assert out.errors["canary"] > out.errors["baseline"]
    assert ctx.records.get(key).state.value == "in_progress"
    event = ctx.records.get(key).last("rollback")
    assert event is not None
    assert event["verdict"]["metrics"]["errors"]["e_regression"] >= 20
    assert fakes.live() == only(OLD, fakes)
    assert fakes.running(NEW) == []


def test_no_traffic_pauses_never_promotes_and_can_be_rolled_back(repo: Path) -> None:
    ctx, key, fakes = released(repo, rate=0.0, **{"rollout.max_wait_seconds": 1.0})
    out = deploy.deploy(ctx, key, DEV)
    assert (out.status, out.reason) == (Status.PAUSED, NO_TRAFFIC)
    assert out.verdict["decision"] == "inconclusive"
    assert "promote" not in kinds(ctx, key)
    assert ctx.records.get(key).state.value == "deploying"
    assert fakes.live() is not None
    assert fakes.live().weight(NEW) == 25.0  # type: ignore[union-attr]
    back = deploy.rollback(ctx, key, DEV)
    assert back.status == Status.ROLLED_BACK
    assert fakes.running(NEW) == []
    assert fakes.live() == only(OLD, fakes)


def test_a_canary_failing_its_health_check_never_gets_traffic(repo: Path) -> None:
    ctx, key, fakes = released(repo, unhealthy=(NEW,))
    with pytest.raises(UnhealthyInstance, match=r"v1\.0\.1 on .* failed its health check"):
        deploy.deploy(ctx, key, DEV)
    assert ctx.records.get(key).state.value == "in_progress"
    event = ctx.records.get(key).last("rollback")
    assert event is not None
    assert event["reason"].startswith("canary did not start: v1.0.1 on")
    assert [s.weight(NEW) for s in fakes.router.applied] == [0.0]
    assert fakes.live() == only(OLD, fakes)


def test_invalid_judge_settings_are_refused_before_production_is_touched(repo: Path) -> None:
    ctx, key, fakes = released(repo, **{"judge.alpha": 2.0})
    with pytest.raises(ConfigError, match="alpha must be between 0 and 1"):
        deploy.deploy(ctx, key, DEV)
    assert fakes.target.started == []
    assert fakes.router.applied == []
    assert "deploy" not in kinds(ctx, key)


def test_rollback_after_promotion_brings_the_old_version_back(repo: Path) -> None:
    ctx, key, fakes = released(repo)
    assert deploy.deploy(ctx, key, DEV).status == Status.PROMOTED
    out = deploy.rollback(ctx, key, DEV, reason="customers report a new bug")
    assert out.status == Status.ROLLED_BACK
    assert len(fakes.running(OLD)) == 1  # started again
    assert fakes.running(NEW) == []
    assert fakes.live() == only(OLD, fakes)
    event = ctx.records.get(key).last("rollback")
    assert event is not None
    assert event["reason"] == "customers report a new bug"
    live = ctx.rollout.states.load_env()
    assert live is not None
    assert live.version == OLD


def test_rollback_of_a_hotfix_never_deployed_is_refused(repo: Path) -> None:
    ctx, key, _ = released(repo)
    with pytest.raises(NotFound, match="was never deployed"):
        deploy.rollback(ctx, key, DEV)


def paused_by(ctx: Context, key: str, fakes: Fakes) -> tuple[int, int]:
    """A rollout left active by a controller; this process is another one from now on."""
    assert deploy.deploy(ctx, key, DEV).status == Status.PAUSED
    writer = fakes.controllers.me()
    fakes.controllers.become(fakes.controllers.spawn())
    return writer


def test_a_rollout_whose_controller_runs_is_not_taken_over(repo: Path) -> None:
    ctx, key, fakes = released(repo, rate=0.0, **{"rollout.max_wait_seconds": 1.0})
    writer = paused_by(ctx, key, fakes)
    with pytest.raises(ConflictError, match=f"{key} is being deployed by process {writer[0]}"):
        deploy.deploy(ctx, key, DEV)
    approved = deploy.deploy(ctx, key, DEV, approve_gate=True)
    assert approved.reason == "gate of step 2 approved"
    assert ctx.records.get(key).events[-1].payload == {"gate_approved": 2}
    assert not deploy.interrupted(ctx, key)


def test_rollback_by_hand_stops_a_live_controller_first(repo: Path) -> None:
    ctx, key, fakes = released(repo, rate=0.0, **{"rollout.max_wait_seconds": 1.0})
    writer = paused_by(ctx, key, fakes)
    out = deploy.rollback(ctx, key, DEV)
    assert fakes.controllers.stopped == [writer]
    assert out.status == Status.ROLLED_BACK
    assert fakes.running(NEW) == []


def test_a_rollout_whose_controller_died_is_resumed_from_the_live_weights(repo: Path) -> None:
    ctx, key, fakes = released(repo, rate=0.0, **{"rollout.max_wait_seconds": 1.0})
    writer = paused_by(ctx, key, fakes)
    fakes.controllers.stop(writer)  # it died
    assert deploy.interrupted(ctx, key)
    fakes.traffic.rate = 200.0
    resumed = opened(repo, fakes)  # a new command, with 30 s waits again
    out = deploy.deploy(resumed, key, DEV)  # a dead controller: deploy resumes
    assert out.status == Status.PROMOTED, (out.reason, out.verdict)
    assert kinds(ctx, key).count("deploy") == 1
    assert kinds(ctx, key)[-1] == "promote"
    assert fakes.running(OLD) == []


def test_resume_rolls_back_when_the_canary_died_too(repo: Path) -> None:
    ctx, key, fakes = released(repo, rate=0.0, **{"rollout.max_wait_seconds": 1.0})
    fakes.controllers.stop(paused_by(ctx, key, fakes))
    for instance in fakes.running(NEW):
        fakes.target.crash(instance)
    out = deploy.resume(ctx, key, DEV)
    assert (out.status, out.reason) == (Status.ROLLED_BACK,
                                        "resumed: the canary's instances are gone")
    assert ctx.records.get(key).state.value == "in_progress"
    assert fakes.live() == only(OLD, fakes)


def test_a_gate_is_approved_on_the_record_while_the_rollout_waits(repo: Path) -> None:
    gated = [FAST_PLAN[0], {**FAST_PLAN[1], "gate": True}, FAST_PLAN[2]]
    ctx, key, _ = released(repo, **{"rollout.steps": gated})

    approvals: list[int] = []

    def approve_when_gated(progress: Any) -> None:  # as if from another terminal
        if progress.status == Status.GATED and not approvals:
            approvals.append(2)
            ctx.records.act(key, "deploy_step", DEV, {"gate_approved": 2})

    out = deploy.deploy(ctx, key, DEV, on_progress=approve_when_gated)
    assert out.status == Status.PROMOTED, out.reason
    steps = [e.payload for e in ctx.records.get(key).events if e.kind == "deploy_step"]
    assert {"gate": 2, "waiting": True}.items() <= steps[1].items()
    assert steps[2]["gate_approved"] == 2
    assert steps[3]["weight"] == 50
