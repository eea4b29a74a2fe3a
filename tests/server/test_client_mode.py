"""The CLI as the team server's client: the server decides, whoever edits what locally."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.server.live import LiveServer, email

ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]  # SEV2


SignIn = Callable[[str], None]


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch, server: LiveServer) -> SignIn:
    """Act as ``role``'s user through the server (HOTFIX_SERVER + HOTFIX_TOKEN)."""

    def sign(role: str) -> None:
        monkeypatch.setenv("HOTFIX_SERVER", server.url)
        monkeypatch.setenv("HOTFIX_TOKEN", server.tokens[role])
    return sign


def test_a_requester_who_edits_hotfix_toml_is_still_refused_by_the_server(
        hotfix: Invoke, repo: Path, server: LiveServer, as_user: SignIn,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "hotfix.toml").write_text(
        '[approvals]\nrequired = { SEV1 = 0, SEV2 = 0, SEV3 = 0, SEV4 = 0 }\n'
        f'approvers = ["{email("engineer")}"]\n')
    monkeypatch.setenv("HOTFIX_APPROVERS", email("engineer"))
    as_user("engineer")
    opened = hotfix("open", "Checkout 500", *ANSWERS, "--json")
    assert opened.code == 0, opened.err
    assert opened.json()["requester"] == email("engineer")
    assert opened.json()["state"] == "triaged"  # the server needs one approval for SEV2
    start = hotfix("start", "HF-1")
    assert start.code == 1
    assert "allowed from: approved" in start.err
    approve = hotfix("approve", "HF-1")
    assert approve.code == 1
    assert "may not approve" in approve.err
    forced = hotfix("close", "HF-1", "--override", "ship it")
    assert forced.code == 1
    assert hotfix("approve", "HF-1", "--as", email("approver")).code == 2
    as_user("approver")
    approved = hotfix("approve", "HF-1", "--json")
    assert approved.code == 0, approved.err
    assert approved.json()["state"] == "approved"
    assert approved.json()["approvals"] == [email("approver")]


def test_the_requester_cannot_approve_and_the_attempt_is_recorded(
        hotfix: Invoke, server: LiveServer, as_user: SignIn) -> None:
    as_user("approver")
    assert hotfix("open", "Checkout 500", *ANSWERS).code == 0
    refused = hotfix("approve", "HF-1")
    assert refused.code == 1
    assert "cannot approve" in refused.err
    kinds = [e.kind for e in server.parts.identities.security_events()]
    assert kinds == ["requester_approval"]


def test_login_keeps_the_token_0600_and_commands_act_through_the_server(
        hotfix: Invoke, server: LiveServer) -> None:
    bad = hotfix("login", server.url, "--token", "hfx_" + "x" * 43)
    assert bad.code == 1
    assert "not valid" in bad.err
    ok = hotfix("login", server.url, "--token", server.tokens["engineer"], "--json")
    assert ok.code == 0, ok.err
    path = Path(ok.json()["path"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.is_relative_to(Path(os.environ["XDG_CONFIG_HOME"]))
    assert hotfix("open", "Slow search", "--json").json()["requester"] == email("engineer")
    listed = hotfix("list", "--json")
    assert [r["id"] for r in listed.json()] == ["HF-1"]
    assert hotfix("logout").code == 0
    assert hotfix("list", "--json").json() == []  # the local record again


def test_a_server_that_is_gone_is_said_plainly(hotfix: Invoke,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_SERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("HOTFIX_TOKEN", "hfx_" + "x" * 43)
    gone = hotfix("list")
    assert gone.code == 1
    assert "did not answer" in gone.err
    assert "nothing was recorded" in gone.err


def test_reading_commands_work_through_the_server(hotfix: Invoke, server: LiveServer,
                                                  as_user: SignIn) -> None:
    as_user("engineer")
    assert hotfix("open", "Checkout 500", *ANSWERS).code == 0
    assert hotfix("time", "HF-1", "45m").code == 0
    status = hotfix("status", "HF-1", "--json")
    assert status.code == 0, status.err
    assert status.json()["state"] == "triaged"
    log = hotfix("log", "HF-1", "--verify")
    assert log.code == 0, log.err
    assert "chain" in (log.out + log.err).lower()
    assert [r["id"] for r in hotfix("list", "--json").json()] == ["HF-1"]
    assert hotfix("status", "HF-9").code == 1


def test_next_steps_and_hints_never_tell_a_signed_in_user_to_pass_as(
        hotfix: Invoke, server: LiveServer, as_user: SignIn) -> None:
    as_user("engineer")
    opened = hotfix("open", "Checkout 500", *ANSWERS, "--json")
    assert opened.json()["next"] == "hotfix approve HF-1 (signed in as an approver)"
    with server.client("engineer") as c:
        assert c.get(server.api("/HF-1")).json()["next"] == (
            "hotfix approve HF-1 (signed in as an approver)")
    shown = hotfix("status", "HF-1")
    assert "next: hotfix approve HF-1 (signed in as an approver)" in shown.out
    as_user("approver")
    assert hotfix("open", "Search 500", *ANSWERS).code == 0
    refused = hotfix("approve", "HF-2")  # its own requester
    assert refused.code == 1
    assert "--as" not in refused.err
    assert "(signed in as another person)" in refused.err


def test_the_api_refuses_to_document_a_field_hotfix_fills_in_itself(server: LiveServer) -> None:
    key = server.opened("engineer")
    with server.client("engineer") as c:
        forged = c.post(server.api(f"/{key}/actions/document"),
                        json={"payload": {"fields": {"tests": "all green, trust me"}}})
        own = c.post(server.api(f"/{key}/actions/document"),
                     json={"payload": {"fields": {"root_cause": "a typo in the VAT table"}}})
    assert forged.status_code == 422
    assert "'tests' is filled in by hotfix from the record" in forged.json()["detail"]
    assert own.status_code == 200, own.text


def test_a_setting_refused_after_signing_in_leaves_no_connection_open(
        repo: Path, server: LiveServer) -> None:
    """The server is asked who the token is before the rest of the settings are read: a
    refused one (an unknown check.backend) closes that connection, never leaks it."""
    import gc
    import warnings

    from hotfix.errors import ConfigError
    from hotfix.wiring import open_context

    (repo / "hotfix.toml").write_text('[check]\nbackend = "travis"\n')
    environ = {"HOTFIX_SERVER": server.url, "HOTFIX_TOKEN": server.tokens["engineer"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ConfigError) as refused:
            open_context(repo, environ)
        assert "check.backend 'travis'" in str(refused.value)
        del refused  # its traceback holds the frames (and any connection left in them)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
