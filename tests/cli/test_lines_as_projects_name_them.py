"""Release lines as real projects have them, end to end through the CLI on real repos:
two-part and calendar versions, pre-release-only lines, a floating ``stable`` branch,
support by age, a ``master`` or remote-default mainline, ``--lines`` by branch name; and
``hotfix contains`` on reverted fixes and on a hotfix's own release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.audit_repos import Repo
from tests.cli.conftest import Invoke
from tests.conftest import git

pytestmark = pytest.mark.both_modes


def lines_of(hotfix: Invoke) -> dict[str, dict[str, Any]]:
    result = hotfix("lines", "--json")
    assert result.code == 0, result.err
    return {line["line"]: line for line in result.json()["lines"]}


def test_two_part_and_calendar_versions_are_lines(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.tag("24.1")
    r.commit("Two", {"a.py": "2\n"})
    r.tag("24.1.1")
    r.commit("Three", {"a.py": "3\n"})
    r.tag("2024.10")
    found = lines_of(hotfix)
    assert found["24.1"]["latest_tag"] == "24.1.1"
    assert found["24.1"]["tags"] == ["24.1", "24.1.1"]
    assert found["2024.10"]["latest_tag"] == "2024.10"
    assert hotfix("audit", "--json").code == 0


def test_a_pattern_without_a_patch_group_never_crashes(hotfix: Invoke, repo: Path) -> None:
    (repo / "hotfix.toml").write_text(
        "[lines]\ntag_pattern = '^r(?P<major>\\d+)\\.(?P<minor>\\d+)$'\n")
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.tag("r24.1")
    assert lines_of(hotfix)["24.1"]["latest_tag"] == "r24.1"
    audited = hotfix("audit", "--lines", "24.1", "--json")
    assert audited.code == 0, audited.err
    assert audited.json() == [{"line": "24.1", "commits": []}]


def test_a_line_with_only_a_pre_release(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.tag("v1.0.0")
    r.commit("Two", {"a.py": "2\n"})
    r.tag("v2.0.0rc1")
    r.git("branch", "release/3.0")
    r.tag("v3.0.0rc1")
    found = lines_of(hotfix)
    assert found["2.0"]["latest_tag"] is None
    assert found["2.0"]["prerelease"] == "v2.0.0rc1"
    assert found["3.0"]["branch"] == "release/3.0"
    assert found["3.0"]["prerelease"] == "v3.0.0rc1"
    assert hotfix("audit", "--lines", "2.0,3.0", "--json").code == 0


def test_a_floating_stable_branch_serves_its_line(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.tag("3.1.0")
    r.checkout("stable", new=True)
    fix = r.commit("Fix on stable", {"b.py": "fix\n"})
    r.tag("3.1.1")
    only = r.commit("Stable-only fix", {"c.py": "c\n"})
    r.checkout("main")
    r.git("merge", "-q", "--no-ff", "-m", "Merge branch 'stable'", "3.1.1")
    found = lines_of(hotfix)
    assert found["3.1"]["branch"] == "stable"
    assert found["3.1"]["aliases"] == ["stable"]
    audited = hotfix("audit", "--lines", "stable", "--json")
    assert audited.code == 1  # the fix after the merge-forward has not reached main
    assert [(c["sha"], c["status"]) for c in audited.json()[0]["commits"]] == [
        (only, "missing")]
    assert fix not in audited.out  # merged forward: in main's history, nothing to check
    (repo / "hotfix.toml").write_text('[lines]\nfloating_branches = ["stable=3.2"]\n')
    assert lines_of(hotfix)["3.2"]["branch"] == "stable"


def test_lines_by_branch_name_and_unknown_names(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.git("branch", "release/1.1")
    r.git("branch", "1.2")
    r.git("branch", "1.3.x")
    audited = hotfix("audit", "--lines", "release/1.1,1.2,1.3.x", "--json")
    assert audited.code == 0, audited.err
    assert [line["line"] for line in audited.json()] == ["1.1", "1.2", "1.3"]
    unknown = hotfix("audit", "--lines", "release/9.9")
    assert unknown.code == 1
    assert "no release line release/9.9 (lines: 1.1, 1.2, 1.3)" in unknown.err


def test_support_follows_the_age_of_the_newest_release(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("One", {"a.py": "1\n"})
    r.tag("v1.0.0", at="2019-03-01T12:00:00")
    r.commit("Two", {"a.py": "2\n"})
    r.tag("v1.1.0")
    r.git("branch", "release/1.2")  # no release yet: supported
    found = lines_of(hotfix)
    assert (found["1.0"]["supported"], found["1.0"]["until"]) == (False, "2020-09-01")
    assert found["1.1"]["supported"] is True
    assert found["1.2"]["supported"] is True
    (repo / "hotfix.toml").write_text('[lines]\nsupport = { "1.0" = true }\n')
    assert lines_of(hotfix)["1.0"]["supported"] is True
    (repo / "hotfix.toml").write_text("[lines]\nsupport_months = 0\n")
    assert lines_of(hotfix)["1.0"]["supported"] is True


def test_a_master_mainline_needs_no_configuration(hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.git("branch", "-m", "main", "master")
    r.tag("v1.0.0")
    fix = r.commit("Fix", {"a.py": "a\n"})
    r.git("branch", "release/1.0", "v1.0.0")
    r.checkout("release/1.0")
    picked = r.pick(fix)
    r.checkout("master")
    assert hotfix("lines", "--json").json()["mainline"] == "master"
    audited = hotfix("audit", "--json")
    assert audited.code == 0, audited.err
    assert audited.json()[0]["commits"][0] == {
        "sha": picked, "subject": "Fix", "status": "in_mainline",
        "match": {"sha": fix, "by": "trailer"}}


def test_the_mainline_is_the_remote_default_branch(hotfix: Invoke, repo: Path,
                                                   tmp_path: Path) -> None:
    r = Repo.at(repo)
    r.git("branch", "-m", "main", "trunk")
    r.tag("v1.0.0")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "branch", "main", "origin/trunk")  # a stray local main: not the mainline
    result = hotfix("lines", "--json", cwd=clone)
    assert result.code == 0, result.err
    assert result.json()["mainline"] == "trunk"
    assert hotfix("audit", "--json", cwd=clone).code == 0


def test_contains_counts_a_revert_and_sees_the_hotfix_s_own_release(
        hotfix: Invoke, repo: Path) -> None:
    r = Repo.at(repo)
    r.commit("Shop", {"shop.py": "shop\n"})
    r.tag("v1.1.0")
    fix = r.commit("Fix EU cards\n\nHotfix-Id: HF-1", {"shop.py": "eu\n"})
    r.checkout("release/1.1", new=True)
    r.git("reset", "-q", "--hard", "v1.1.0")
    picked = r.pick(fix)
    r.tag("v1.1.1")
    r.revert(picked)
    r.tag("v1.1.2")  # released without the fix
    r.checkout("hotfix/1.1.3", new=True)  # a hotfix's own release, not on release/1.1
    r.pick(fix)
    r.tag("v1.1.3")
    r.checkout("main")
    found = hotfix("contains", "HF-1", "--json")
    assert found.code == 0, found.err
    assert found.json()["lines"] == [{"line": "1.1", "tags": ["v1.1.1", "v1.1.3"],
                                      "missing": ["v1.1.0", "v1.1.2"], "partial": []}]
    by_sha = hotfix("contains", fix, "--json").json()
    assert by_sha["tags"] == ["v1.1.1", "v1.1.3"]
