"""The back-out plan and the backup before a deploy, on real processes: their refusals, the
overrides an approver may give, and what goes on the record."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.local import UnhealthyInstance
from hotfix.errors import GuardRefused, UsageError
from hotfix.services.context import Context
from hotfix.services.rollout import backout, deploy
from hotfix.services.rollout.backup import BackupFailed
from hotfix.wiring import open_context
from tests.rollout_app.support import make_app_repo, processes_in
from tests.services.rollout.rollout_setup import BOSS, DEV, cleanup, kinds, settings

pytestmark = pytest.mark.slow
WRITE = ["{python}", "-c", "import sys; open(sys.argv[1], 'w').write('dump of ' + sys.argv[2])",
         "{output}", "{version}"]
GUARDED = {"guards.enable": {"service": ["backout-plan"]}}
QUICK = {"rollout.max_wait_seconds": 0.5}  # no traffic: the rollout pauses at once
MIGRATION = {"rule": "forbidden-kind:migrations", "file": "db/migrations/0007_add_vat.sql",
             "message": "db/migrations/0007_add_vat.sql is migrations"}


def released(tmp_path: Path, base: dict[str, Any] | None = None,
             **extra: Any) -> tuple[Context, str]:
    """A hotfix released as v1.0.1 over v1.0.0 (behaving as ``base``)."""
    repo = make_app_repo(tmp_path / "repo", {"v1.0.0": base or {}, "v1.0.1": {}})
    ctx = open_context(repo, {}, settings(**extra))
    rec = ctx.records.open("checkout answers 500 for EU cards", DEV)
    ctx.records.act(rec.key, "release", BOSS,
                    {"facts": {"tag": "v1.0.1", "base_tag": "v1.0.0"}}, override="test set-up")
    return ctx, rec.key


def untouched(ctx: Context) -> None:
    """Production was never started: no router, no app process of either version."""
    assert ctx.rollout.router.current() is None
    for tag in ("v1.0.0", "v1.0.1"):
        assert processes_in(ctx.root / ".hotfix" / "rollout" / "worktrees" / tag) == []


def flag_migration(ctx: Context, key: str) -> None:
    """The last check's scope guard flagged a migration (an approver forced it past)."""
    ctx.records.act(key, "check", BOSS, {"passed": True, "scope": {
        "ok": False, "violations": [MIGRATION]}}, override="test set-up")
    ctx.records.act(key, "release", BOSS, {}, override="test set-up")


def test_a_plan_proves_its_release_deployable_by_a_dry_start(tmp_path: Path) -> None:
    ctx, key = released(tmp_path)
    with cleanup(ctx):
        plan = backout.backout(ctx, key, DEV, "v1.0.0")
        assert plan.dry_start is not None
        assert plan.dry_start["passed"] is True
        assert plan.irreversible == ()
        assert (ctx.records.get(key).last("backout") or {})["dry_start"]["passed"] is True
        untouched(ctx)  # the dry start's instance is gone again
        with pytest.raises(UsageError, match="the release of HF-1 itself"):
            backout.backout(ctx, key, DEV, "v1.0.1")


def test_a_release_that_does_not_start_is_no_plan(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, {"healthy": False}, **{"rollout.local.health_timeout": 1.5})
    with cleanup(ctx):
        with pytest.raises(UnhealthyInstance,
                           match=r"the back-out release v1\.0\.0 cannot be deployed now"):
            backout.backout(ctx, key, DEV, "v1.0.0")
        assert "backout" not in kinds(ctx, key)
        untouched(ctx)


def test_an_irreversible_fix_needs_an_approver_s_acknowledgement(tmp_path: Path) -> None:
    ctx, key = released(tmp_path, **{"deploy.backout_dry_start": False})
    with cleanup(ctx):
        flag_migration(ctx, key)
        with pytest.raises(GuardRefused, match="changes db/migrations/0007_add_vat.sql, which "
                                               r"returning to v1\.0\.0 does not undo"):
            backout.backout(ctx, key, DEV, "v1.0.0")
        with pytest.raises(GuardRefused, match="cannot acknowledge"):
            backout.backout(ctx, key, DEV, "v1.0.0", acknowledge="run the down-migration")
        with pytest.raises(GuardRefused, match=r"changes db/migrations/0007_add_vat\.sql"):
            deploy.deploy(ctx, key, DEV)  # no acknowledged plan: refused before production
        untouched(ctx)
        plan = backout.backout(ctx, key, BOSS, "v1.0.0", acknowledge="run the down-migration")
        assert plan.irreversible == ("db/migrations/0007_add_vat.sql",)
        assert (ctx.records.get(key).last("backout") or {})["acknowledged"] == {
            "by": BOSS, "how": "run the down-migration"}


def test_the_guard_refuses_a_deploy_without_a_plan_unless_an_approver_overrides(
        tmp_path: Path) -> None:
    ctx, key = released(tmp_path, **GUARDED, **QUICK, **{"deploy.backup_command": WRITE})
    with cleanup(ctx):
        with pytest.raises(GuardRefused, match="HF-1 has no back-out plan") as refused:
            deploy.deploy(ctx, key, DEV)
        assert refused.value.hint is not None
        assert "--override" in refused.value.hint
        with pytest.raises(GuardRefused, match="cannot override"):
            deploy.deploy(ctx, key, DEV, override="urgent")
        untouched(ctx)
        assert "backup" not in kinds(ctx, key)
        out = deploy.deploy(ctx, key, BOSS, override="SEV1: no time for a plan")
        assert out.status == "paused"
        assert kinds(ctx, key)[:5] == ["open", "override", "release", "backup", "override"]
        assert kinds(ctx, key)[5] == "deploy"
        note = ctx.records.get(key).last("backup")
        assert note is not None
        assert (note["passed"], note["exit_code"], note["version"]) == (True, 0, "v1.0.1")
        made = Path(note["location"])
        assert made.parent == ctx.root / ".hotfix" / "backups"
        assert made.read_text() == "dump of v1.0.1"
        assert note["size"] == len("dump of v1.0.1")
        assert note["sha256"] == hashlib.sha256(made.read_bytes()).hexdigest()


def test_a_failed_backup_stops_the_deploy(tmp_path: Path) -> None:
    failing = ["{python}", "-c", "import sys; print('pg_dump: connection refused'); sys.exit(3)"]
    ctx, key = released(tmp_path, **QUICK, **{"deploy.backup_command": failing})
    with cleanup(ctx):
        with pytest.raises(BackupFailed, match="failed: it exited with 3") as failed:
            deploy.deploy(ctx, key, DEV)
        assert "pg_dump: connection refused" in failed.value.message
        assert "deploy" not in kinds(ctx, key)
        untouched(ctx)
        note = ctx.records.get(key).last("backup")
        assert note is not None
        assert (note["passed"], note["exit_code"], note["size"]) == (False, 3, None)
        assert ctx.records.get(key).state.value == "released"
        out = deploy.deploy(ctx, key, BOSS, override="the database is read-only today")
        assert out.status == "paused"
        forced = ctx.records.get(key).last("backup")
        assert forced is not None
        assert forced["overridden"] == {"by": BOSS, "reason": "the database is read-only today"}


def test_a_backup_that_hangs_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    hang = ["{python}", "-c", "import os, subprocess, sys, time; "
            f"p = subprocess.Popen(['sleep', '60']); open({str(marker)!r}, 'w')"
            ".write(str(p.pid)); time.sleep(60)", "{output}"]
    ctx, key = released(tmp_path, **{"deploy.backup_command": hang,
                                     "deploy.backup_timeout": 1.0})
    with cleanup(ctx):
        began = time.monotonic()
        with pytest.raises(BackupFailed, match="did not finish within 1 s"):
            deploy.deploy(ctx, key, DEV)
        assert time.monotonic() - began < 30
        child = int(marker.read_text())
        for _ in range(50):  # its whole process group was stopped, the sleep too
            if not procs.alive(child):
                break
            time.sleep(0.1)
        assert not procs.alive(child)
        assert "deploy" not in kinds(ctx, key)
        untouched(ctx)
