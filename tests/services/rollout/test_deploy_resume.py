"""A controller killed mid-rollout: resume finds the live weights and continues or rolls back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.local import process_of
from hotfix.domain.rollout.state import DeployState
from hotfix.services.context import Context
from hotfix.services.git import resume as resume_svc
from hotfix.services.rollout import deploy
from hotfix.wiring import open_context
from tests.rollout_app.support import processes_in
from tests.services.rollout.rollout_setup import DEV, cleanup, kinds, released, traffic

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONTROLLER = """
import json, sys
from pathlib import Path
from hotfix.services.rollout import deploy
from hotfix.wiring import open_context
ctx = open_context(Path(sys.argv[1]), {}, json.loads(sys.argv[2]))
deploy.deploy(ctx, sys.argv[3], "dev@example.com")
"""


def start_controller(ctx: Context, key: str, overrides: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-c", CONTROLLER, str(ctx.root),
                             json.dumps(overrides), key], env=env, start_new_session=True)


def wait_for_step(ctx: Context, key: str, proc: subprocess.Popen[bytes]) -> DeployState:
    for _ in range(600):
        state = ctx.rollout.states.load(key)
        if state is not None and state.weights:
            return state
        assert proc.poll() is None, "the controller died before its first step"
        time.sleep(0.05)
    raise AssertionError("the controller never reached its first step")


def kill_controller(ctx: Context, key: str, slow: dict[str, Any]
                    ) -> tuple[DeployState, Context]:
    """Start a rollout in another process, kill -9 it at 25 %, return its state."""
    proc = start_controller(ctx, key, slow)
    try:
        state = wait_for_step(ctx, key, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return state, ctx


def overrides(ctx: Context, **extra: Any) -> dict[str, Any]:
    keys = ("approvals.approvers", "rollout.listen", "rollout.admin", "rollout.local.command",
            "rollout.instances", "rollout.poll_seconds", "rollout.steps", "judge.alpha",
            "judge.error_floor", "judge.latency_tolerance", "judge.error_margin")
    return {**{k: ctx.cfg.get(k) for k in keys}, **extra}


def test_a_killed_controller_is_resumed_from_the_live_weights(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx):
        slow_plan = [{**s, "bake_seconds": 3600} for s in ctx.cfg.list("rollout.steps")[:-1]]
        state, _ = kill_controller(ctx, key, overrides(
            ctx, **{"rollout.steps": [*slow_plan, {"weight": 100}]}))
        assert ctx.rollout.router.current() is not None
        live = ctx.rollout.router.current()
        assert live is not None
        assert live.weight("v1.0.1") == 25
        assert all(procs.alive(*process_of(i)) for i in state.canary.instances)
        resumed = open_context(ctx.root, {}, overrides(ctx))  # the fast plan, same weights
        try:
            with traffic(resumed):
                out = deploy.deploy(resumed, key, DEV)  # a dead controller: deploy resumes
        finally:
            resumed.close()
        assert out.status == "promoted", (out.reason, out.verdict)
        assert kinds(ctx, key).count("deploy") == 1
        assert kinds(ctx, key)[-1] == "promote"
        assert processes_in(ctx.root / ".hotfix" / "rollout" / "worktrees" / "v1.0.0") == []


def test_resume_rolls_back_when_the_canary_died_too(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx):
        slow_plan = [{**s, "bake_seconds": 3600} for s in ctx.cfg.list("rollout.steps")[:-1]]
        state, _ = kill_controller(ctx, key, overrides(
            ctx, **{"rollout.steps": [*slow_plan, {"weight": 100}]}))
        for inst in state.canary.instances:
            os.kill(process_of(inst)[0], signal.SIGKILL)
        done = resume_svc.resume(ctx, key, DEV)  # `hotfix resume`, not deploy's own
        assert any("rolled back (resumed: the canary's instances are gone)" in line
                   for line in done.done), done.done
        assert ctx.records.get(key).state.value == "in_progress"
        live = ctx.rollout.router.current()
        assert live is not None
        assert live.weights == {"v1.0.0": 100.0}


def test_rollback_by_hand_stops_a_live_controller_and_leaves_no_orphans(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {})
    with cleanup(ctx):
        slow_plan = [{**s, "bake_seconds": 3600} for s in ctx.cfg.list("rollout.steps")[:-1]]
        proc = start_controller(ctx, key, overrides(
            ctx, **{"rollout.steps": [*slow_plan, {"weight": 100}]}))
        try:
            wait_for_step(ctx, key, proc)
            out = deploy.rollback(ctx, key, DEV)
            assert proc.wait(timeout=15) != 0  # it was stopped, not left running
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert out.status == "rolled_back"
        assert processes_in(ctx.root / ".hotfix" / "rollout" / "worktrees" / "v1.0.1") == []
