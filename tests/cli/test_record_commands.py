"""The record commands end to end: real repo, real SQLite, in-process CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke

pytestmark = pytest.mark.both_modes

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]


def approvers(repo: Path, *emails: str) -> None:
    quoted = ", ".join(f'"{e}"' for e in emails)
    (repo / "hotfix.toml").write_text(f"[approvals]\napprovers = [{quoted}]\n")


def test_open_triage_approve_and_log(hotfix: Invoke, repo: Path, cli_mode: str) -> None:
    approvers(repo, APP, REQ)  # an approver too: the refusal below is the requester rule
    opened = hotfix("open", "Checkout returns 500 for EU cards", *ANSWERS, "--as", REQ, "--json")
    assert opened.code == 0, opened.err
    data = opened.json()
    assert (data["id"], data["state"], data["severity"], data["route"]) == (
        "HF-1", "triaged", "SEV2", "hotfix")
    assert data["triage"]["reasons"]
    if cli_mode == "local":
        assert (repo / ".hotfix" / "hotfix.db").exists()
        assert "/.hotfix/" in (repo / ".git" / "info" / "exclude").read_text()
    else:  # the record is the server's: nothing of it is written here
        assert not (repo / ".hotfix" / "hotfix.db").exists()

    refused = hotfix("approve", "HF-1", "--as", REQ)
    assert refused.code == 1
    assert "cannot approve" in refused.err
    assert "hint:" in refused.err

    approved = hotfix("approve", "hf-1", "--as", APP, "--json")
    assert approved.code == 0, approved.err
    assert approved.json()["state"] == "approved"

    log = hotfix("log", "HF-1", "--verify", "--json")
    assert log.code == 0
    assert [e["kind"] for e in log.json()["events"]] == ["open", "triage", "approve"]
    assert log.json()["chain"]["ok"] is True


def test_open_without_answers_is_reported(hotfix: Invoke) -> None:
    opened = hotfix("open", "Slow search", "--as", REQ, "--json")
    assert opened.json()["state"] == "reported"
    partial = hotfix("triage", "HF-1", "-a", "significant=no", "--as", REQ, "--json")
    assert partial.json()["state"] == "reported"
    done = hotfix("triage", "HF-1", "-a", "users=0.01", "-a", "workaround=yes", "--as", REQ,
                  "--json")
    assert (done.json()["state"], done.json()["route"]) == ("deferred", "next-release")


def test_identity_defaults_to_git_email(hotfix: Invoke) -> None:
    opened = hotfix("open", "Bug", *ANSWERS, "--json")
    assert opened.json()["requester"] == "dev@example.com"


def test_bad_usage_exits_2(hotfix: Invoke) -> None:
    bad = hotfix("open", "Bug", "-a", "colour=red", "--as", REQ)
    assert bad.code == 2
    assert "cannot read the answer 'colour=red'" in bad.err
    assert "hint: write KEY=VALUE with KEY one of: significant, users_affected" in bad.err
    assert hotfix("open", "Bug", "-a", "users=150%", "--as", REQ).code == 2
    assert hotfix("open").code == 2
    assert hotfix("status", "XY-9").code == 2


def test_unknown_id_and_not_a_repo(hotfix: Invoke, tmp_path: Path) -> None:
    missing = hotfix("status", "HF-42")
    assert missing.code == 1
    assert "no hotfix HF-42" in missing.err
    outside = tmp_path / "plain"
    outside.mkdir()
    result = hotfix("list", cwd=outside)
    assert result.code == 1
    assert "not inside a git repository" in result.err
    assert "git init" in result.err


def test_json_errors_for_scripts(hotfix: Invoke) -> None:
    result = hotfix("status", "HF-7", "--json")
    assert result.code == 1
    assert result.json() == {"error": "not_found", "message": "there is no hotfix HF-7",
                             "hint": "see them all: hotfix list"}


def test_close_guard_and_override(hotfix: Invoke, repo: Path) -> None:
    approvers(repo, APP)
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    hotfix("approve", "HF-1", "--as", APP)
    refused = hotfix("close", "HF-1", "--as", REQ)
    assert refused.code == 1
    assert "--override" in refused.err
    not_approver = hotfix("close", "HF-1", "--override", "dup", "--as", REQ)
    assert not_approver.code == 1
    assert "only approvers" in not_approver.err
    forced = hotfix("close", "HF-1", "--override", "duplicate of HF-0", "--as", APP, "--json")
    assert forced.code == 0
    kinds = [e["kind"] for e in hotfix("log", "HF-1", "--json").json()["events"]]
    assert kinds[-2:] == ["override", "close"]
    assert [r["state"] for r in hotfix("list", "--json").json()] == ["closed"]
    assert hotfix("list", "--open", "--json").json() == []
    closed = hotfix("approve", "HF-1", "--as", APP)
    assert closed.code == 1
    assert "closed" in closed.err


def test_time_logging_and_status(hotfix: Invoke) -> None:
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    first = hotfix("time", "hf-1", "45m", "--as", REQ)
    assert first.code == 0, first.err
    assert "logged 45m on HF-1" in first.out
    assert "unplanned work 45m logged" in first.out
    logged = hotfix("time", "HF-1", "1h", "--as", APP, "--json")
    assert logged.code == 0, logged.err
    assert logged.json()["active_by_person"] == {REQ: 2700, APP: 3600}
    assert hotfix("time", "HF-1", "soon", "--as", APP).code == 2
    status = hotfix("status", "HF-1", "--json").json()
    assert status["time"]["active_seconds"] == 6300
    assert status["time"]["active_by_person"] == {REQ: 2700, APP: 3600}
    human = hotfix("status", "HF-1")
    assert "unplanned work 1h45m" in human.out


def test_list_filters(hotfix: Invoke) -> None:
    hotfix("open", "A", *ANSWERS, "--as", REQ)
    hotfix("open", "B", "--as", REQ)
    assert [r["id"] for r in hotfix("list", "--json").json()] == ["HF-1", "HF-2"]
    assert [r["id"] for r in hotfix("list", "--state", "reported", "--json").json()] == ["HF-2"]
    assert "HF-1" in hotfix("list").out


def test_tampered_database_fails_verify(hotfix: Invoke, record_db: Path) -> None:
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    hotfix("time", "HF-1", "10m", "--as", REQ)
    with sqlite3.connect(record_db) as db:
        db.execute("UPDATE events SET actor = 'mallory@x' WHERE seq = 2")
    result = hotfix("log", "HF-1", "--verify")
    assert result.code == 1
    assert "chain broken at event 2" in result.out
    assert "tampered" in result.err


def test_init_writes_a_valid_commented_config(hotfix: Invoke, repo: Path) -> None:
    result = hotfix("init", "--json")
    assert result.code == 0
    text = (repo / "hotfix.toml").read_text()
    assert "# approvers = []" in text
    assert hotfix("init", "--json").json()["wrote_config"] is False
    assert hotfix("config", "approvals.approvers", "--json").json() == {
        "approvals.approvers": {"value": [], "source": "default"}}
    documented = ["root_cause", "what_was_fixed", "customer_impact", "follow_ups"]
    required = hotfix("config", "close.require", "--json").json()["close.require"]
    assert required["value"] == {"service": documented, "library": documented,
                                 "rollback": documented}  # a new project's starting point
    assert required["source"] != "default"
    hotfix("open", "Checkout 500", "--as", "dana@example.com")
    shown = hotfix("doc", "HF-1", "--show", "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["missing"] == documented  # what close will ask for


def test_malformed_config_names_the_line(hotfix: Invoke, repo: Path) -> None:
    (repo / "hotfix.toml").write_text("[approvals]\napprovers = [\"a@x\"]\nrequired = 3\n")
    result = hotfix("list")
    assert result.code == 2
    assert "approvals.required" in result.err
    assert "line 3" in result.err
    (repo / "hotfix.toml").write_text("[approvals]\napprover = []\n")
    typo = hotfix("list")
    assert "line 2" in typo.err
    assert "did you mean 'approvals.approvers'" in typo.err
    (repo / "hotfix.toml").write_text("[approvals\n")
    assert "line 1" in hotfix("list").err


def test_environment_overrides_file(hotfix: Invoke, repo: Path, monkeypatch: object) -> None:
    import pytest

    approvers(repo, "file@x")
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTFIX_APPROVERS", "env@x, other@x")
    try:
        data = hotfix("config", "approvals.approvers", "--json").json()
    finally:
        mp.undo()
    assert data["approvals.approvers"] == {"value": ["env@x", "other@x"], "source": "env"}


def test_config_in_pyproject(hotfix: Invoke, repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.hotfix.records]\nprefix = "INC"\n')
    opened = hotfix("open", "Bug", "--as", REQ, "--json")
    assert opened.json()["id"] == "INC-1"


def test_postgres_through_the_environment(hotfix: Invoke, postgres_url: str,
                                          monkeypatch: object) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    mp.setenv("HOTFIX_DATABASE_URL", postgres_url)
    try:
        assert hotfix("open", "Bug", *ANSWERS, "--as", REQ).code == 0
        assert hotfix("list", "--json").json()[0]["id"] == "HF-1"
    finally:
        mp.undo()


def test_titles_are_printed_literally(hotfix: Invoke) -> None:
    hotfix("open", "[bold]Price[/] shows [red]NaN", *ANSWERS, "--as", REQ)
    assert "[bold]Price[/] shows [red]NaN" in hotfix("list").out
    assert "[bold]Price[/] shows [red]NaN" in hotfix("status", "HF-1").out
