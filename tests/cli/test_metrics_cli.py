"""``hotfix metrics`` through the CLI."""

from __future__ import annotations

from tests.cli.conftest import Invoke
from tests.gitrepo import Repo, git_sandbox  # noqa: F401 (fixture)
from tests.services.record.test_metrics import history  # noqa: F401 (fixture)


def test_cli_metrics(hotfix: Invoke, history: Repo) -> None:  # noqa: F811
    data = hotfix("metrics", "--json", cwd=history.path)
    assert data.code == 0, data.err
    assert set(data.json()["figures"]) == {
        "deployment_frequency", "lead_time_for_changes", "change_failure_rate",
        "failed_deployment_recovery_time", "deployment_rework_rate"}
    assert "deployment frequency" in hotfix("metrics", "--since", "3650d",
                                            cwd=history.path).out
    bad = hotfix("metrics", "--since", "last tuesday", cwd=history.path)
    assert bad.code == 2
    assert "neither a duration nor a date" in bad.err
    (history.path / "hotfix.toml").write_text('[metrics]\nsprint_start = "soon"\n')
    assert hotfix("metrics", cwd=history.path).code == 2
