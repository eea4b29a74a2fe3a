"""The backup before a deploy: ``deploy.backup_command`` runs before the canary starts.

Its exit code, location, size and checksum go on the record as a ``backup`` note. A backup
that fails (exits non-zero, hangs past ``deploy.backup_timeout``, writes nothing) stops the
deploy, unless an approver overrides it: the override is on the same note.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix.adapters.deploy.backup import run_backup
from hotfix.errors import GuardRefused, HotfixError
from hotfix.services.context import Context


class BackupFailed(HotfixError):
    """The backup before a deploy failed: the deploy did not start."""


def back_up(ctx: Context, key: str, actor: str, version: str,
            override: str | None = None) -> dict[str, Any] | None:
    """Run the backup (None when none is configured); record it; raise if it failed."""
    argv = [str(a) for a in ctx.cfg.list("deploy.backup_command")]
    if not argv:
        return None
    if override is not None:
        _may_override(ctx, actor)
    run = run_backup(argv, ctx.root, _output(ctx, key, version),
                     {"key": key, "version": version}, ctx.cfg.float("deploy.backup_timeout"))
    note: dict[str, Any] = {**run.to_dict(), "version": version}
    if not run.passed and override is not None:
        note["overridden"] = {"by": actor, "reason": override}
    ctx.records.act(key, "backup", actor, note)
    if not run.passed and override is None:
        tail = f"; its output ends with:\n{run.output}" if run.output else ""
        raise BackupFailed(
            f"the backup before deploying {version} failed: {run.problem}{tail}. The deploy "
            "did not start", hint=f"fix deploy.backup_command and deploy again; or, as an "
                                  f"approver: hotfix deploy {key} --override \"why\"")
    return note


def _may_override(ctx: Context, actor: str) -> None:
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]
    if actor not in approvers:
        raise GuardRefused(f"{actor} cannot override: only approvers can",
                           hint="approvers are listed in hotfix.toml under [approvals] "
                                "approvers")


def _output(ctx: Context, key: str, version: str) -> Path:
    directory = Path(ctx.cfg.str("deploy.backup_dir"))
    if not directory.is_absolute():
        directory = ctx.root / directory
    stamp = datetime.fromtimestamp(ctx.clock.time(), UTC).strftime("%Y%m%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{key}-{version}-{stamp}")
    return directory / f"{safe}.backup"
