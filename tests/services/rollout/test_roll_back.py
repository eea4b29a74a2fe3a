"""Roll back first on real app processes and the builtin router: under load, bad input,
a release that does not start, and a rollback killed half-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.deploy.local import process_of
from hotfix.domain.rollout.history import Phase, Rollback
from hotfix.errors import ConflictError, NotFound, UsageError
from hotfix.services.context import Context
from hotfix.services.git import resume as resume_svc
from hotfix.services.rollout import production, roll_back
from hotfix.services.rollout.roll_back_first import roll_back_first
from hotfix.wiring import open_context
from tests.rollout_app.support import get_many, make_app_repo, processes_in
from tests.services.rollout.rollout_setup import BOSS, DEV, cleanup, kinds, settings, traffic

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
ROLL_BACK_FIRST = {"significant": "yes", "users_affected": "60%", "workaround": "no",
                   "caused_by_last_deploy": "yes", "rollback_safe": "yes"}
VERSIONS = {"v1.0.0": {"healthy": False}, "v1.1.1": {"latency_ms": 2.0},
            "v1.2.0": {"latency_ms": 2.0}}


def broken_release(tmp_path: Path, **extra: Any) -> tuple[Context, str]:
    """v1.1.1 was live, the pipeline deployed v1.2.0; an approved roll-back-first record."""
    repo = make_app_repo(tmp_path / "repo", VERSIONS)
    ctx = open_context(repo, {}, settings(**extra))
    production.up(ctx, "v1.1.1")
    production.replace(ctx, "v1.2.0", "ci@example.com")
    rec = ctx.records.open("search answers nothing since the deploy", DEV, ROLL_BACK_FIRST)
    assert rec.kind == "rollback"
    ctx.records.act(rec.key, "approve", BOSS, {})
    return ctx, rec.key


def served(ctx: Context, n: int = 10) -> set[str]:
    url = f"http://{ctx.cfg.str('rollout.listen')}/products"
    return {r.json()["version"] for r in get_many(url, n)}


def weights(ctx: Context) -> dict[str, float]:
    """The live split, as the router itself reports it."""
    split = ctx.rollout.router.current()
    return dict(split.weights) if split is not None else {}


def worktree(ctx: Context, tag: str) -> Path:
    return ctx.root / ".hotfix" / "rollout" / "worktrees" / tag


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                  else None)
ROUTERS = [pytest.param({}, id="builtin"),
           pytest.param({"rollout.router": "nginx", "rollout.nginx.binary": NGINX or "nginx"},
                        id="nginx", marks=pytest.mark.skipif(
                            NGINX is None, reason="nginx is not installed; CI installs it"))]


@pytest.mark.parametrize("router", ROUTERS)
def test_under_load_production_returns_to_the_release_before_with_no_failed_request(
        tmp_path: Path, router: dict[str, Any]) -> None:
    ctx, key = broken_release(tmp_path, **router)
    with cleanup(ctx):
        assert served(ctx) == {"v1.2.0"}
        with traffic(ctx, rate=200) as load:
            time.sleep(1.0)  # requests in flight when the rollback starts
            out = roll_back_first(ctx, key, DEV)  # default: the release live before
            time.sleep(1.0)
        assert (out.rolled.live, out.rolled.to, out.rolled.phase) == ("v1.2.0", "v1.1.1", "done")
        assert out.rolled.switch_seconds is not None
        assert load.sent > 40  # paced at 200/s, fewer on a busy box; every one answered
        assert sum(load.failures.values()) == 0, load.failures
        assert set(load.statuses) == {200}
        assert weights(ctx) == {"v1.1.1": 100.0}
        assert served(ctx) == {"v1.1.1"}
        assert processes_in(worktree(ctx, "v1.2.0")) == []
        rec = ctx.records.get(key)
        assert rec.state.value == "verified"  # the smoke checks passed there
        assert kinds(ctx, key)[-3:] == ["rollback", "rollback", "verify"]
        assert [e.payload["phase"] for e in rec.events if e.kind == "rollback"] == [
            "begin", "done"]
        assert rec.facts["rolled_back_to"] == "v1.1.1"
        live = ctx.rollout.states.load_env()
        assert live is not None
        assert live.version == "v1.1.1"
        assert [d.version for d in ctx.rollout.states.deployments()] == [
            "v1.1.1", "v1.2.0", "v1.1.1"]


def test_bad_input_is_refused_before_production_moves(tmp_path: Path) -> None:
    ctx, key = broken_release(tmp_path)
    with cleanup(ctx):
        with pytest.raises(NotFound, match=r"v1\.0\.9 was never released"):
            roll_back.roll_back(ctx, key, DEV, to="v1.0.9")
        with pytest.raises(UsageError, match="not a release tag"):
            roll_back.roll_back(ctx, key, DEV, to="main")
        subprocess.run(["git", "tag", "v1.3.0"], cwd=ctx.root, check=True)
        with pytest.raises(UsageError, match=r"v1\.3\.0 is newer than v1\.2\.0, which production"):
            roll_back.roll_back(ctx, key, DEV, to="v1.3.0")
        with pytest.raises(UsageError, match=r"production already runs v1\.2\.0"):
            roll_back.roll_back(ctx, key, DEV, to="v1.2.0")
        service = ctx.records.open("checkout 500", DEV, {
            "significant": "yes", "users_affected": "60%", "workaround": "no"})
        with pytest.raises(UsageError, match="is a service record"):
            roll_back.roll_back(ctx, service.key, DEV, to="v1.1.1")
        assert served(ctx) == {"v1.2.0"}
        assert ctx.records.get(key).state.value == "approved"
        assert "rollback" not in kinds(ctx, key)


def test_an_old_release_that_does_not_start_leaves_production_where_it_was(
        tmp_path: Path) -> None:
    ctx, key = broken_release(tmp_path, **{"rollout.local.health_timeout": 1.5})
    with cleanup(ctx):
        with pytest.raises(roll_back.RollbackFailed) as failed:
            roll_back.roll_back(ctx, key, DEV, to="v1.0.0")
        assert "v1.0.0 did not start" in failed.value.message
        assert "Production stays on v1.2.0, untouched" in failed.value.message
        assert weights(ctx) == {"v1.2.0": 100.0}
        assert served(ctx) == {"v1.2.0"}
        assert processes_in(worktree(ctx, "v1.0.0")) == []
        rec = ctx.records.get(key)
        assert rec.state.value == "rolling_back"
        assert rec.last("rollback") is not None
        assert (rec.last("rollback") or {})["phase"] == "failed"
        again = roll_back.roll_back(ctx, key, DEV, to="v1.1.1")  # another try is allowed
        assert again.phase == "done"
        assert served(ctx) == {"v1.1.1"}


CONTROLLER = """
import json, sys, time
from pathlib import Path
from hotfix.services.rollout import roll_back
from hotfix.wiring import open_context
ctx = open_context(Path(sys.argv[1]), {}, json.loads(sys.argv[2]))
pause = sys.argv[4]
router = ctx.rollout.router
apply, drain = router.apply, router.drain
def slow_apply(split):
    if pause == "before-switch" and "v1.1.1" in split.weights:
        time.sleep(600)
    apply(split)
def slow_drain(version, timeout):
    if pause == "after-switch":
        time.sleep(600)
    return drain(version, timeout)
router.apply, router.drain = slow_apply, slow_drain
roll_back.roll_back(ctx, sys.argv[3], "dev@example.com", to="v1.1.1")
"""


def kill_mid_rollback(ctx: Context, key: str, pause: str, phase: Phase) -> Rollback:
    """Start the rollback in another process, kill -9 it once it reached ``phase``."""
    keys = ("approvals.approvers", "rollout.listen", "rollout.admin", "rollout.local.command",
            "rollout.instances", "rollout.local.health_timeout", "rollout.drain_seconds")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", CONTROLLER, str(ctx.root),
         json.dumps({k: ctx.cfg.get(k) for k in keys}), key, pause],
        env=env, start_new_session=True)
    try:
        for _ in range(400):
            state = ctx.rollout.states.load_rollback(key)
            if state is not None and state.phase == phase:
                time.sleep(0.2)  # into the pause
                return state
            assert proc.poll() is None, "the rollback process died before the pause"
            time.sleep(0.05)
        raise AssertionError(f"the rollback never reached {phase}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_killed_before_the_switch_resume_finishes_it(tmp_path: Path) -> None:
    ctx, key = broken_release(tmp_path)
    with cleanup(ctx):
        state = kill_mid_rollback(ctx, key, "before-switch", Phase.STARTED)
        assert weights(ctx) == {"v1.2.0": 100.0}  # the router's truth
        assert roll_back.interrupted(ctx, key)
        with pytest.raises(ConflictError, match="cut short"):
            roll_back.roll_back(ctx, key, DEV, to="v1.1.1")
        with traffic(ctx, rate=100) as load:
            done = resume_svc.resume(ctx, key, DEV)
        assert any("switching now" in line for line in done.done), done.done
        assert done.waiting == []
        assert sum(load.failures.values()) == 0, load.failures
        assert weights(ctx) == {"v1.1.1": 100.0}
        assert served(ctx) == {"v1.1.1"}
        assert all(not ctx.rollout.target.alive(i) for i in state.live.instances)
        assert ctx.records.get(key).state.value == "rolled_back"
        assert not roll_back.interrupted(ctx, key)


def test_killed_after_the_switch_resume_finishes_without_switching_again(
        tmp_path: Path) -> None:
    ctx, key = broken_release(tmp_path)
    with cleanup(ctx):
        state = kill_mid_rollback(ctx, key, "after-switch", Phase.SWITCHED)
        assert weights(ctx) == {"v1.1.1": 100.0}
        assert all(ctx.rollout.target.alive(i) for i in state.live.instances)  # still warm
        done = resume_svc.resume(ctx, key, DEV)
        assert any("already sends all traffic to v1.1.1" in line for line in done.done)
        assert all(not ctx.rollout.target.alive(i) for i in state.live.instances)
        assert ctx.records.get(key).state.value == "rolled_back"
        assert processes_in(worktree(ctx, "v1.2.0")) == []


def test_killed_and_the_old_release_died_too_resume_undoes_it(tmp_path: Path) -> None:
    ctx, key = broken_release(tmp_path)
    with cleanup(ctx):
        state = kill_mid_rollback(ctx, key, "before-switch", Phase.STARTED)
        for inst in state.to.instances:
            os.killpg(process_of(inst)[0], signal.SIGKILL)
        done = resume_svc.resume(ctx, key, DEV)
        assert any("undone" in line and "stays on v1.2.0" in line for line in done.done)
        assert done.waiting == [
            f"production stays on v1.2.0; roll back again: hotfix rollback {key} --to v1.1.1"]
        assert weights(ctx) == {"v1.2.0": 100.0}
        assert served(ctx) == {"v1.2.0"}
        assert ctx.records.get(key).state.value == "rolling_back"
        assert roll_back.roll_back(ctx, key, DEV, to="v1.1.1").phase == "done"
