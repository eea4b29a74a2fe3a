"""``hotfix notify status | retry | run``, end to end in a real repository: configuration
errors exit 2 naming what to fix, and nothing in the outbox moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.notify.receivers import SECRET, WebhookReceiver, down_for
from tests.cli.conftest import Invoke

pytestmark = pytest.mark.both_modes

ANSWERS = ["--answer", "significant=yes", "--answer", "users_affected=60%",
           "--answer", "workaround=no", "--answer", "costing_money=yes"]


def _hook(repo: Path, url: str) -> None:
    (repo / "hotfix.toml").write_text(
        f'[notify.channels.audit]\ntype = "webhook"\nurl = "{url}"\n'
        'secret_env = "HOTFIX_HOOK_SECRET"\n\n[[notify.routes]]\non = ["open", "triage"]\n'
        'to = ["audit"]\n', encoding="utf-8")


@pytest.mark.parametrize("url", ["ftp://hooks.example/x", "hooks.example/x"])
def test_a_webhook_url_that_is_not_http_exits_2(hotfix: Invoke, repo: Path, url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _hook(repo, url)
    monkeypatch.setenv("HOTFIX_HOOK_SECRET", SECRET)
    assert hotfix("open", "Bug", "--as", "rey@example.com").code == 0
    run = hotfix("notify", "run", "--json")
    assert run.code == 2
    error = run.json()
    assert error["error"] == "config_error"
    assert "notify.channels.audit.url" in error["message"]
    assert "not an http(s) URL" in error["message"]
    assert len(hotfix("notify", "status", "--json").json()["pending"]) == 1  # kept


def test_a_missing_secret_exits_2_and_names_the_variable(hotfix: Invoke, repo: Path) -> None:
    _hook(repo, "https://hooks.example/x")
    assert hotfix("open", "Bug", "--as", "rey@example.com").code == 0
    run = hotfix("notify", "run")
    assert run.code == 2
    assert "HOTFIX_HOOK_SECRET is not set" in run.err
    assert "export HOTFIX_HOOK_SECRET" in run.err


def test_run_status_and_retry(hotfix: Invoke, repo: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = WebhookReceiver(down_for(1, status=410))  # 410: gone, a dead letter
    monkeypatch.setenv("HOTFIX_HOOK_SECRET", SECRET)
    _hook(repo, receiver.url)
    try:
        assert hotfix("open", "Checkout 500", "--as", "rey@example.com", *ANSWERS).code == 0
        first = hotfix("notify", "run", "--json").json()
        assert (first["delivered"], first["dead"]) == (1, 1)
        status = hotfix("notify", "status")
        assert status.code == 0
        assert "0 pending · 1 delivered · 1 dead" in status.out
        assert "hotfix notify retry" in status.out
        (dead,) = hotfix("notify", "status", "--json").json()["dead"]
        assert "410" in dead["last_error"]
        assert hotfix("notify", "retry", "nope", "--json").code == 1
        assert hotfix("notify", "retry", dead["id"], "--json").json() == {
            "retrying": [dead["id"]]}
        assert hotfix("notify", "run", "--json").json()["delivered"] == 1
    finally:
        receiver.close()
    assert hotfix("notify", "status", "--json").json() == {"pending": [], "delivered": 2,
                                                          "dead": []}
    assert receiver.rejected == []  # every request verified by the library's own verifier
    assert dead["id"] in receiver.by_id
    assert len(receiver.by_id) == 2
