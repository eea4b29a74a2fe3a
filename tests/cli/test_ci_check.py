"""``hotfix check`` with ``check.backend = "github-actions"`` (and the others) end to end: the
commit pushed to a real remote, the pipeline's stand-in run, the check event on the record,
the release guard satisfied by it, and the token nowhere in the record."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.adapters.ci.standins import (
    TOKEN,
    Behaviour,
    circleci_app,
    github_app,
    jenkins_app,
    serve,
)
from tests.cli.conftest import Invoke
from tests.gitrepo import Repo, bare_remote, git_sandbox, shop  # noqa: F401 (fixtures)
from tests.hotfix_flow import ANSWERS, APPROVER, ENGINEER


def started(hotfix: Invoke, shop: Repo, toml: str) -> None:  # noqa: F811
    (shop.path / "hotfix.toml").write_text(f'[approvals]\napprovers = ["{APPROVER}"]\n'
                                          f'[scope]\nrequire_test = false\n{toml}')
    assert hotfix("open", "Checkout 500", *[f"-a{k}={v}" for k, v in ANSWERS.items()],
                  "--as", "rey@example.com", cwd=shop.path).code == 0
    assert hotfix("approve", "HF-1", "--as", APPROVER, cwd=shop.path).code == 0
    assert hotfix("start", "HF-1", "--line", "1.1", "--as", ENGINEER, cwd=shop.path).code == 0
    assert hotfix("pick", "HF-1", "fix/eu-cards", "--as", ENGINEER, cwd=shop.path).code == 0


def test_github_actions_decides_the_check(hotfix: Invoke, shop: Repo, tmp_path: Path,  # noqa: F811
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    remote = bare_remote(shop, tmp_path / "origin.git")
    b = Behaviour()
    app = github_app(b, lambda ref: remote.git("rev-parse", f"refs/heads/{ref}"))
    with serve(app) as url:
        started(hotfix, shop, f'[check]\nbackend = "github-actions"\n[ci]\nurl = "{url}"\n'
                              'github_repo = "shop/app"\npoll_seconds = 0.05\n')
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        missing = hotfix("check", "HF-1", "--as", ENGINEER, cwd=shop.path)
        assert missing.code == 2
        assert "$GITHUB_TOKEN" in missing.err
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        done = hotfix("check", "HF-1", "--as", ENGINEER, "--json", cwd=shop.path)
    assert done.code == 0, done.out + done.err
    head = Repo(shop.path / ".hotfix" / "worktrees" / "HF-1").head()
    assert remote.git("rev-parse", "refs/heads/hotfix/1.1.1") == head  # pushed, exactly
    log = hotfix("log", "HF-1", "--json", cwd=shop.path).json()
    check = next(e for e in log["events"] if e["kind"] == "check")["payload"]
    assert (check["passed"], check["commit"]) == (True, head)
    run = check["runs"][0]
    assert run["stage"] == "ci"
    assert run["command"][0] == "github-actions"
    assert run["command"][1].startswith("https://github.com/shop/app/actions/runs/")
    assert run["counts"] == {"passed": 2, "failed": 0, "error": 0, "skipped": 0}
    released = hotfix("release", "HF-1", "--as", ENGINEER, cwd=shop.path)
    assert released.code == 0, released.err  # the release guard accepts the CI's check
    with sqlite3.connect(shop.path / ".hotfix" / "hotfix.db") as db:
        dump = "\n".join(db.iterdump())
    assert TOKEN not in dump


@pytest.mark.parametrize("system", ["jenkins", "circleci"])
def test_jenkins_and_circleci_decide_the_check(hotfix: Invoke, shop: Repo,  # noqa: F811
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               system: str) -> None:
    remote = bare_remote(shop, tmp_path / "origin.git")
    b, base = Behaviour(), []
    monkeypatch.setenv("JENKINS_USER", "ada")
    monkeypatch.setenv("JENKINS_API_TOKEN", TOKEN)
    monkeypatch.setenv("CIRCLECI_TOKEN", TOKEN)
    with serve(jenkins_app(b, base) if system == "jenkins" else circleci_app(b)) as url:
        base.append(url)
        where = 'jenkins_job = "f/app"' if system == "jenkins" else \
            'circleci_project = "gh/shop/app"'
        started(hotfix, shop, f'[check]\nbackend = "{system}"\n[ci]\nurl = "{url}"\n'
                              f'{where}\npoll_seconds = 0.05\n')
        done = hotfix("check", "HF-1", "--as", ENGINEER, cwd=shop.path)
    assert done.code == 0, done.out + done.err
    head = Repo(shop.path / ".hotfix" / "worktrees" / "HF-1").head()
    assert remote.git("rev-parse", "refs/heads/hotfix/1.1.1") == head
    log = hotfix("log", "HF-1", "--json", cwd=shop.path).json()
    check = next(e for e in log["events"] if e["kind"] == "check")["payload"]
    assert (check["passed"], check["commit"]) == (True, head)
    run = check["runs"][0]
    assert (run["stage"], run["command"][0]) == ("ci", system)
    assert run["counts"] == {"passed": 2, "failed": 0, "error": 0, "skipped": 0}
    assert hotfix("release", "HF-1", "--as", ENGINEER, cwd=shop.path).code == 0
    with sqlite3.connect(shop.path / ".hotfix" / "hotfix.db") as db:
        assert TOKEN not in "\n".join(db.iterdump())


def test_a_red_or_foreign_run_fails_the_check(hotfix: Invoke, shop: Repo, tmp_path: Path,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bare_remote(shop, tmp_path / "origin.git")
    monkeypatch.setenv("CIRCLECI_TOKEN", TOKEN)
    b = Behaviour(conclusion="failure")
    with serve(circleci_app(b)) as url:
        started(hotfix, shop, f'[check]\nbackend = "circleci"\n[ci]\nurl = "{url}"\n'
                              'circleci_project = "gh/shop/app"\npoll_seconds = 0.05\n')
        red = hotfix("check", "HF-1", "--as", ENGINEER, cwd=shop.path)
        assert red.code == 1
        assert "failed" in red.out + red.err
        b.conclusion, b.tested_sha = "success", "f" * 40
        foreign = hotfix("check", "HF-1", "--as", ENGINEER, cwd=shop.path)
    assert foreign.code == 1
    assert "not the checked commit" in foreign.out + foreign.err
    assert hotfix("release", "HF-1", "--as", ENGINEER, cwd=shop.path).code == 1


def test_ci_without_a_remote_says_so(hotfix: Invoke, shop: Repo,  # noqa: F811
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    started(hotfix, shop, '[check]\nbackend = "github-actions"\n[ci]\n'
                          'url = "http://127.0.0.1:9"\ngithub_repo = "shop/app"\n')
    result = hotfix("check", "HF-1", "--as", ENGINEER, cwd=shop.path)
    assert result.code == 2
    assert "there is no remote 'origin'" in result.err
    unknown = hotfix("config", "check.backend", cwd=shop.path)
    assert unknown.code == 0
    (shop.path / "hotfix.toml").write_text('[check]\nbackend = "travis"\n')
    assert hotfix("list", cwd=shop.path).code == 2
    subprocess.run(["true"], check=True)
