"""``hotfix metrics`` on a real repository and record: deployments from the pipeline's
reports and from tags nobody reported, a hotfix remedying one of them, lead times from real
commit dates, unplanned work per sprint."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.domain.rollout.history import Deployment
from hotfix.services.record.metrics import metrics
from hotfix.wiring import open_context
from tests.gitrepo import Repo, git_sandbox, init  # noqa: F401 (fixture)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
D, H = timedelta(days=1), timedelta(hours=1)


def commit_at(repo: Repo, when: datetime, message: str, files: dict[str, str]) -> str:
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    os.environ["GIT_COMMITTER_DATE"] = os.environ["GIT_AUTHOR_DATE"] = stamp
    try:
        sha = repo.commit(message, files)
        repo.git("tag", "-a", message, "-m", message) if message.startswith("v") else None
    finally:
        del os.environ["GIT_COMMITTER_DATE"], os.environ["GIT_AUTHOR_DATE"]
    return sha


@pytest.fixture
def history(tmp_path: Path, git_sandbox: Path) -> Repo:  # noqa: F811
    repo = init(tmp_path / "shop")
    commit_at(repo, T0 - 2 * D, "work on 1.1", {"a.py": "1\n"})
    commit_at(repo, T0, "v1.1.0", {"a.py": "2\n"})  # lead times 2 d and 0
    commit_at(repo, T0 + 6 * D, "v1.2.0", {"a.py": "3\n"})  # lead time 1 d (to the report)
    (repo.path / "hotfix.toml").write_text('[metrics]\nsprint_start = "2026-03-02"\n'
                                           "sprint_days = 7\n")
    return repo


def test_metrics_from_reports_tags_and_a_hotfix(history: Repo) -> None:
    clock = ManualClock(T0 + 14 * D)
    ctx = open_context(history.path, {}, clock=clock)
    try:
        states = ctx.rollout.states
        states.add_deployment(Deployment("v1.2.0", (T0 + 7 * D).timestamp(), "ci", "pipeline"))
        rec = ctx.records.open("Search is down", "rey@example.com",
                               {"significant": "yes", "users_affected": "60%",
                                "workaround": "no"})
        ctx.records.log_time(rec.key, "ada@example.com", "2h")
        clock.advance(1)
        figures = metrics(ctx, "21d")
    finally:
        ctx.close()
    d = figures.dora
    # v1.1.0 (tagged, never reported) and v1.2.0 (reported a day after its tag)
    assert d.figure("deployment_frequency").counted == "2 deployment(s) over 3.0 week(s)"
    assert d.assumptions == (
        "1 release(s) nobody reported with `hotfix deployed` count as deployed when tagged",)
    lead = d.figure("lead_time_for_changes")
    assert lead.value == pytest.approx((1 * D).total_seconds())  # median of 2 d, 0, 1 d
    assert d.figure("change_failure_rate").value == 0.0  # the hotfix was never started
    assert figures.people == {"ada@example.com": 7200}
    assert [s.logged_seconds for s in figures.sprints][-1] == 7200
