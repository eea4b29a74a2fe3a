"""``hotfix metrics`` through the CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hotfix.adapters.rollout.state_files import StateFiles
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


def test_a_reported_deployment_is_counted_where_the_record_is(
        hotfix: Invoke, history: Repo, cli_mode: str, tmp_path: Path) -> None:  # noqa: F811
    def unreported(cwd: Path) -> list[str]:
        data = hotfix("metrics", "--since", "3650d", "--json", cwd=cwd)
        assert data.code == 0, data.err
        return [a for a in data.json()["assumptions"] if "nobody reported" in a]

    assert unreported(history.path) == [
        "2 release(s) nobody reported with `hotfix deployed` count as deployed when tagged"]
    done = hotfix("deployed", "v1.2.0", "--json", cwd=history.path)
    assert done.code == 0, done.err
    assert (done.json()["version"], done.json()["by"]) == ("v1.2.0", "ada@example.com")
    counted = ["1 release(s) nobody reported with `hotfix deployed` count as deployed when "
               "tagged"]
    assert unreported(history.path) == counted
    kept_here = StateFiles(history.path / ".hotfix" / "rollout").deployments()
    # another machine (a clone elsewhere): signed in to the same server, it counts the
    # deployment the CI runner reported; with the record in the repository, it cannot
    other = tmp_path / "elsewhere"
    subprocess.run(["git", "clone", "-q", str(history.path), str(other)], check=True)
    if cli_mode == "local":
        assert [d.version for d in kept_here] == ["v1.2.0"]
        assert unreported(other) == [counted[0].replace("1 release(s)", "2 release(s)")]
    else:  # the server keeps it, not this machine's rollout state
        assert kept_here == []
        assert unreported(other) == counted
