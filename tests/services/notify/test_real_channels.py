"""Through the dispatcher, on real receivers: Slack's 429 waits out its Retry-After, a
hanging receiver times out and is retried later, a verification reaches the stakeholders
with every check and its failure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.services.notify.dispatch import deliver_due
from hotfix.services.notify.outbox import outbox_status
from hotfix.services.rollout.verify import verify
from tests.adapters.notify.receivers import SECRET, WebhookReceiver, hang_first, slack_standin
from tests.services.notify.setup import BOSS, REPORTER, SEV1_ANSWERS, T0, context


def _toml(repo: Path, channels: str, routes: str, extra: str = "") -> None:
    (repo / "hotfix.toml").write_text(
        f'[approvals]\napprovers = ["{BOSS}"]\n{extra}\n{channels}\n{routes}', encoding="utf-8")


def test_slack_rate_limit_is_waited_out(repo: Path) -> None:
    slack = slack_standin(limited=1, retry_after="30")
    _toml(repo, '[notify.channels.oncall]\ntype = "slack"\nurl_env = "SLACK_URL"\n',
          '[[notify.routes]]\non = ["triage"]\nto = ["oncall"]\n',
          '[notify]\ndashboard_url = "https://hotfix.example/"\n')
    clock = ManualClock(T0)
    ctx = context(repo, clock=clock, environ={"SLACK_URL": slack.url})
    try:
        key = ctx.records.open("Checkout <!channel> 500", REPORTER, SEV1_ANSWERS).key
        first = deliver_due(ctx, clock.now())
        assert first.count("retry") == 1
        assert "429" in first.attempts[0].error
        assert deliver_due(ctx, T0 + timedelta(seconds=29)).attempts == ()
        assert deliver_due(ctx, T0 + timedelta(seconds=30)).count("delivered") == 1
    finally:
        slack.close()
    assert len(slack.requests) == 2
    body = slack.requests[-1][1].decode()
    assert "<!channel>" not in body
    assert f"https://hotfix.example/hotfixes/{key}" in body


def test_a_hanging_receiver_times_out_and_is_retried_later(repo: Path) -> None:
    hook = WebhookReceiver(hang_first(3))
    _toml(repo, f'[notify.channels.audit]\ntype = "webhook"\nurl = "{hook.url}"\n'
          'secret_env = "HOOK_SECRET"\n', '[[notify.routes]]\non = ["open"]\nto = ["audit"]\n',
          "[notify]\ntimeout = 0.5\n")
    clock = ManualClock(T0)
    ctx = context(repo, clock=clock, environ={"HOOK_SECRET": SECRET})
    try:
        ctx.records.open("Bug", REPORTER)
        first = deliver_due(ctx, clock.now(), jitter=lambda: 1.0)
        assert first.count("retry") == 1
        assert "within 0.5s" in first.attempts[0].error
        (waiting,) = outbox_status(ctx).pending
        assert waiting.next_at == T0 + timedelta(seconds=10)
        assert deliver_due(ctx, T0 + timedelta(seconds=10)).count("delivered") == 1
    finally:
        hook.close()
    assert list(hook.by_id) == [waiting.id]


class Production:
    """Production on loopback: /health answers 200, /checkout still 500 (the bug)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status = 200 if self.path == "/health" else 500
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def production() -> Iterator[Production]:
    prod = Production()
    yield prod
    prod.close()


def test_verification_is_told_to_its_stakeholders(repo: Path, production: Production) -> None:
    hook = WebhookReceiver()
    _toml(repo, f'[notify.channels.stakeholders]\ntype = "webhook"\nurl = "{hook.url}"\n'
          'secret_env = "HOOK_SECRET"\n',
          '[[notify.routes]]\non = ["verify"]\nto = ["stakeholders"]\n',
          f'[verify]\nbase_url = "{production.url}"\ntimeout = 5.0\n')
    ctx = context(repo, environ={"HOOK_SECRET": SECRET})
    key = ctx.records.open("EU checkout 500", REPORTER).key
    for action in ("release", "deploy", "promote"):
        ctx.records.act(key, action, BOSS, {"facts": {"tag": "v1.0.1", "base_tag": "v1.0.0"}}
                        if action == "release" else {}, override="test set-up")
    result = verify(ctx, key, BOSS, bug_check={"path": "/checkout", "status": 200})
    assert not result.passed
    try:
        assert deliver_due(ctx, ctx.now()).count("delivered") == 1
    finally:
        hook.close()
    ((_, told),) = hook.by_id.items()
    assert told["type"] == "hotfix.verify"
    details = told["data"]["details"]
    assert details["passed"] is False
    assert [(c["kind"], c["passed"]) for c in details["checks"]] == [("smoke", True),
                                                                    ("bug", False)]
    assert "500" in details["checks"][1]["detail"]
