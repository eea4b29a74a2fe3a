"""Deploy, judge, promote or roll back: real app processes, a real router, real traffic."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hotfix.adapters.deploy.local import UnhealthyInstance
from hotfix.errors import NotFound
from hotfix.services.context import Context
from hotfix.services.rollout import deploy, production
from tests.rollout_app.support import get_many, processes_in
from tests.services.rollout.rollout_setup import DEV, cleanup, kinds, released, traffic

pytestmark = pytest.mark.slow


def served_versions(url: str, n: int = 20) -> set[str]:
    return {r.json()["version"] for r in get_many(url + "/products", n)}


def worktree(root: Path, tag: str) -> Path:
    return root / ".hotfix" / "rollout" / "worktrees" / tag


def test_a_good_hotfix_is_promoted_and_replaces_the_baseline(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx):
        production.up(ctx, "v1.0.0")
        promoted_under_traffic(ctx, key)


def promoted_under_traffic(ctx: Context, key: str) -> None:
    with traffic(ctx) as load:
        seen = []
        out = deploy.deploy(ctx, key, DEV, on_progress=seen.append)
        assert out.status == "promoted", out.reason
        assert ctx.records.get(key).state.value == "deployed"
        assert kinds(ctx, key)[-4:] == ["deploy", "deploy_step", "deploy_step", "promote"]
        promote = ctx.records.get(key).last("promote")
        assert promote is not None
        assert promote["verdict"]["decision"] == "promote"
        assert served_versions(out.url) == {"v1.0.1"}
        assert processes_in(worktree(ctx.root, "v1.0.0")) == []
        live = ctx.rollout.states.load_env()
        assert live is not None
        assert live.version == "v1.0.1"
        assert {p.weight for p in seen} == {25, 50}
        assert seen[-1].requests["canary"] > 0
        assert seen[-1].requests["baseline"] > 0
    assert sum(load.failures.values()) == 0
    assert set(load.statuses) == {200}


def test_a_bad_hotfix_is_rolled_back_by_the_judge(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {"error_rate": 0.3})
    with cleanup(ctx), traffic(ctx):
        out = deploy.deploy(ctx, key, DEV)
        assert (out.status, out.reason) == ("rolled_back", "the judge found a regression")
        assert out.verdict["decision"] == "rollback"
        assert out.errors["canary"] > out.errors["baseline"]
        assert ctx.records.get(key).state.value == "in_progress"
        event = ctx.records.get(key).last("rollback")
        assert event is not None
        assert event["verdict"]["metrics"]["errors"]["e_regression"] >= 20
        assert served_versions(out.url) == {"v1.0.0"}
        assert processes_in(worktree(ctx.root, "v1.0.1")) == []


def test_no_traffic_waits_and_never_promotes(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {}, **{"rollout.max_wait_seconds": 1.0})
    with cleanup(ctx):
        out = deploy.deploy(ctx, key, DEV)
        assert out.status == "paused"
        assert out.reason == ("inconclusive: gave up waiting (no traffic to the canary at this "
                              "step: waiting)")
        assert out.verdict["decision"] == "inconclusive"
        assert "promote" not in kinds(ctx, key)
        assert ctx.records.get(key).state.value == "deploying"
        back = deploy.rollback(ctx, key, DEV)
        assert back.status == "rolled_back"
        assert processes_in(worktree(ctx.root, "v1.0.1")) == []
        assert served_versions(back.url) == {"v1.0.0"}


def test_a_canary_failing_its_health_check_never_gets_traffic(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {"healthy": False})
    with cleanup(ctx):
        with pytest.raises(UnhealthyInstance, match=r"v1\.0\.1 on .* failed its health check"):
            deploy.deploy(ctx, key, DEV)
        assert ctx.records.get(key).state.value == "in_progress"
        url = f"http://{ctx.cfg.str('rollout.listen')}"
        assert served_versions(url) == {"v1.0.0"}
        assert processes_in(worktree(ctx.root, "v1.0.1")) == []


def test_rollback_after_promotion_brings_the_old_version_back(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx):
        with traffic(ctx):
            assert deploy.deploy(ctx, key, DEV).status == "promoted"
        out = deploy.rollback(ctx, key, DEV, reason="customers report a new bug")
        assert out.status == "rolled_back"
        assert served_versions(out.url) == {"v1.0.0"}
        assert processes_in(worktree(ctx.root, "v1.0.1")) == []
        assert ctx.records.get(key).last("rollback") == {
            **(ctx.records.get(key).last("rollback") or {}),
            "reason": "customers report a new bug"}


def test_rollback_of_a_hotfix_never_deployed_is_refused(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx), pytest.raises(NotFound, match="was never deployed"):
        deploy.rollback(ctx, key, DEV)


def test_the_router_answers_during_and_after(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {}, **{"rollout.max_wait_seconds": 1.0})
    with cleanup(ctx):
        deploy.deploy(ctx, key, DEV)  # pauses: no traffic
        assert httpx.get(f"http://{ctx.cfg.str('rollout.listen')}/products",
                         trust_env=False).status_code == 200


def test_a_gated_step_waits_for_approval_and_keeps_judging(tmp_path: Path) -> None:
    import threading
    import time

    from hotfix.wiring import open_context
    from tests.services.rollout.rollout_setup import FAST_PLAN, settings

    gated = [FAST_PLAN[0], {**FAST_PLAN[1], "gate": True}, FAST_PLAN[2]]
    ctx, key = released(tmp_path, {}, **{"rollout.steps": gated})
    overrides = {k: ctx.cfg.get(k) for k in settings()}
    overrides.update({"rollout.listen": ctx.cfg.get("rollout.listen"),
                      "rollout.admin": ctx.cfg.get("rollout.admin"), "rollout.steps": gated})
    outcome: list[deploy.Outcome] = []
    with cleanup(ctx):
        production.up(ctx, "v1.0.0")
        with traffic(ctx):
            def controller() -> None:
                own = open_context(ctx.root, {}, overrides)
                try:
                    outcome.append(deploy.deploy(own, key, DEV))
                finally:
                    own.close()
            thread = threading.Thread(target=controller)
            thread.start()
            state = None
            for _ in range(300):
                state = ctx.rollout.states.load(key)
                if state is not None and state.status == "gated":
                    break
                time.sleep(0.1)
            assert state is not None
            assert state.status == "gated"
            assert state.position.step == 0  # still at 25 %, waiting for step 2
            ctx.records.act(key, "deploy_step", DEV, {"gate_approved": 2})
            thread.join(timeout=120)
        assert outcome[0].status == "promoted", outcome[0].reason
        steps = [e.payload for e in ctx.records.get(key).events if e.kind == "deploy_step"]
        assert {"gate": 2, "waiting": True}.items() <= steps[1].items()
        assert steps[2]["gate_approved"] == 2
        assert steps[3]["weight"] == 50
