"""``hotfix metrics`` through the CLI."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke
from tests.gitrepo import Repo, git_sandbox  # noqa: F401 (fixture)
from tests.services.record.test_metrics import history  # noqa: F401 (fixture)

pytestmark = pytest.mark.both_modes


def test_cli_metrics(hotfix: Invoke, history: Repo) -> None:  # noqa: F811
    data = hotfix("metrics", "--json", cwd=history.path)
    assert data.code == 0, data.err
    assert set(data.json()["figures"]) == {
        "deployment_frequency", "lead_time_for_changes", "change_failure_rate",
        "failed_deployment_recovery_time", "deployment_rework_rate"}
    assert "deployment frequency" in hotfix("metrics", "--since", "3650d",
                                            cwd=history.path).out
    # the hotfixes counted are the record's (the repository's, or the team server's)
    assert hotfix("open", "Search is down", "-a", "significant=yes", "-a", "users=60%",
                  "-a", "workaround=no", "--as", "rey@example.com", cwd=history.path).code == 0
    assert hotfix("time", "HF-1", "2h", "--as", "ada@example.com", cwd=history.path).code == 0
    counted = hotfix("metrics", "--json", cwd=history.path).json()
    assert counted["logged_by_person"] == {"ada@example.com": 7200}
    assert counted["hotfixes"]["by_route"] == {"hotfix": 1}
    bad = hotfix("metrics", "--since", "last tuesday", cwd=history.path)
    assert bad.code == 2
    assert "neither a duration nor a date" in bad.err
    (history.path / "hotfix.toml").write_text('[metrics]\nsprint_start = "soon"\n')
    assert hotfix("metrics", cwd=history.path).code == 2
