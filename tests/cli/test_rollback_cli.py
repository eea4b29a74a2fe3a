"""The roll-back-first commands' shells: hotfix deployed, rollback --to's bad input, and the
backup line of hotfix status (the rollouts themselves: tests/services/rollout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotfix.wiring import open_context
from tests.cli.conftest import Invoke, RecordsAt
from tests.conftest import git

pytestmark = pytest.mark.both_modes

REQ, APP = "dana@example.com", "lee@example.com"
ROLL_BACK_FIRST = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no",
                   "-a", "caused_by_last_deploy=yes", "-a", "rollback_safe=yes"]


def config(repo: Path) -> None:
    (repo / "hotfix.toml").write_text(f'[approvals]\napprovers = ["{APP}"]\n')
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release v1.0.0")


def test_the_pipeline_reports_a_deployment(hotfix: Invoke, repo: Path) -> None:
    config(repo)
    done = hotfix("deployed", "v1.0.0", "--as", "ci@example.com", "--json")
    assert done.code == 0, done.err
    assert (done.json()["version"], done.json()["source"], done.json()["by"]) == (
        "v1.0.0", "pipeline", "ci@example.com")
    assert done.json()["commit"] == git(repo, "rev-parse", "v1.0.0^{commit}")
    shown = hotfix("deployed", "v1.0.0", "--as", "ci@example.com")
    assert "recorded: v1.0.0" in shown.out
    never = hotfix("deployed", "v9.9.9", "--as", "ci@example.com")
    assert (never.code, never.err.splitlines()[0]) == (
        1, "error: v9.9.9 was never released: there is no tag v9.9.9")
    assert hotfix("deployed", "main", "--as", "ci@example.com").code == 2
    # kept where the record is (the repository's rollout state, or the team server's)
    ctx = open_context(repo, dict(os.environ))  # signed in as the last command was
    try:
        kept = ctx.rollout.states.deployments()
    finally:
        ctx.close()
    assert [(d.version, d.source) for d in kept] == [("v1.0.0", "pipeline")] * 2


def test_rollback_to_refuses_bad_input_with_what_to_do(hotfix: Invoke, repo: Path) -> None:
    config(repo)
    hotfix("open", "Search broke with the deploy", *ROLL_BACK_FIRST, "--as", REQ)
    early = hotfix("rollback", "HF-1", "--to", "v1.0.0", "--as", APP)
    assert early.code == 1
    assert "cannot rollback HF-1: it is triaged" in early.err
    hotfix("approve", "HF-1", "--as", APP)
    never = hotfix("rollback", "HF-1", "--to", "v0.9.0", "--as", APP, "--json")
    assert never.code == 1
    assert never.json()["message"] == "v0.9.0 was never released: there is no tag v0.9.0"
    assert hotfix("rollback", "HF-1", "--to", "main", "--as", APP).code == 2
    nothing = hotfix("rollback", "HF-1", "--to", "v1.0.0", "--as", APP)
    assert nothing.code == 1
    assert "hotfix runs no production here" in nothing.err
    assert hotfix("status", "HF-1", "--json").json()["state"] == "approved"
    hotfix("open", "Checkout 500", "-a", "significant=yes", "-a", "users=60%", "-a",
           "workaround=no", "--as", REQ)
    service = hotfix("rollback", "HF-2", "--to", "v1.0.0", "--as", APP)
    assert service.code == 2
    assert "--to and --bug-check are for a roll-back-first record" in service.err


def test_status_shows_the_latest_backup(hotfix: Invoke, repo: Path,
                                        records_at: RecordsAt) -> None:
    config(repo)
    hotfix("open", "Checkout 500", "--as", REQ)
    records = records_at(repo)
    records.act("HF-1", "backup", APP, {"passed": False, "problem": "it exited with 3",
                                        "version": "v1.0.1", "location": "", "size": None})
    records.act("HF-1", "backup", APP, {"passed": True, "version": "v1.0.1", "size": 14,
                                        "location": "/backups/HF-1.backup", "sha256": "ab" * 32})
    shown = hotfix("status", "HF-1")
    assert ("  backup     /backups/HF-1.backup, 14 bytes, sha256 abababababababab… "
            "(before v1.0.1)") in shown.out
    assert hotfix("status", "HF-1", "--json").json()["backup"]["size"] == 14
