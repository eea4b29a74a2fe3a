"""Each notifier against a real local receiver: the webhook verified by the Standard
Webhooks library's own verifier, Slack's endpoint (a stand-in that rate-limits), SMTP
(aiosmtpd)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hotfix.adapters.notify.mail import EmailNotifier, Smtp
from hotfix.adapters.notify.slack import SlackNotifier
from hotfix.adapters.notify.text import ZWSP
from hotfix.adapters.notify.webhook import WebhookNotifier
from hotfix.errors import ConfigError, DeliveryFailed
from hotfix.ports.notify import Notice
from tests.adapters.notify.receivers import (
    SECRET,
    Receiver,
    SmtpServer,
    WebhookReceiver,
    down_for,
    free_port,
    hang_first,
    slack_standin,
)

TITLE = "<!channel> @here *Checkout* 500s <https://evil.example|click> <b>x</b>"
NOTICE = Notice(id="HF-1.3.abcdef012345.oncall", event="verify", key="HF-1", title=TITLE,
                state="verified", severity="SEV1", next_step="hotfix backport HF-1",
                link="https://hotfix.example/hotfixes/HF-1", at="2026-05-01T12:00:00+00:00",
                details={"passed": False, "checks": [
                    {"name": "GET /health → 200", "kind": "smoke", "passed": True,
                     "detail": "200"},
                    {"name": "bug: eu-checkout", "kind": "bug", "passed": False,
                     "detail": "@channel still 500"}]})


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def test_a_webhook_verifies_with_the_librarys_own_verifier(hook: WebhookReceiver) -> None:
    WebhookNotifier("hooks", hook.url, SECRET, timeout=5).send(NOTICE)
    assert hook.rejected == []
    (payload,) = hook.by_id.values()
    assert list(hook.by_id) == [NOTICE.id]
    assert payload["type"] == "hotfix.verify"
    assert payload["data"]["title"] == TITLE  # data, as written: JSON escapes it
    assert payload["data"]["details"]["checks"][1]["passed"] is False


def test_a_webhook_signed_with_another_secret_is_rejected_by_the_receiver(
        hook: WebhookReceiver) -> None:
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    WebhookNotifier("hooks", hook.url, other, timeout=5).send(NOTICE)
    assert hook.by_id == {}
    assert hook.rejected == ["No matching signature found"]


def test_every_attempt_carries_the_same_id_and_a_fresh_signature() -> None:
    receiver = WebhookReceiver(down_for(2))
    clock = iter([datetime.now(UTC) + timedelta(seconds=s) for s in (0, 2, 4)])
    notifier = WebhookNotifier("hooks", receiver.url, SECRET, timeout=5,
                               now=lambda: next(clock))
    try:
        for _ in range(2):
            with pytest.raises(DeliveryFailed) as info:
                notifier.send(NOTICE)
            assert not info.value.permanent
        notifier.send(NOTICE)
    finally:
        receiver.close()
    ids = {h["webhook-id"] for h, _ in receiver.requests}
    stamps = {h["webhook-timestamp"] for h, _ in receiver.requests}
    assert ids == {NOTICE.id}
    assert len(stamps) == 3
    assert list(receiver.by_id) == [NOTICE.id]


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "example.com",
                                 "javascript:alert(1)", ""])
def test_a_url_that_is_not_http_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        WebhookNotifier("hooks", url, SECRET, timeout=5)
    assert "notify.channels.hooks.url" in str(info.value)
    assert info.value.exit_code == 2


def test_a_secret_that_is_not_one_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="not a Standard Webhooks secret"):
        WebhookNotifier("hooks", "https://example.com/h", "whsec_!!!", timeout=5)


def test_a_refusing_receiver_is_permanent_and_a_failing_one_is_not() -> None:
    for status, permanent in ((400, True), (404, True), (410, True), (500, False),
                              (503, False), (408, False)):
        receiver = Receiver(down_for(99, status))
        try:
            with pytest.raises(DeliveryFailed) as info:
                WebhookNotifier("hooks", receiver.url, SECRET, timeout=5).send(NOTICE)
        finally:
            receiver.close()
        assert info.value.permanent is permanent, status
        assert str(status) in info.value.message
        assert "/hook" not in info.value.message  # a hook URL's path is a secret


def test_a_hanging_receiver_times_out() -> None:
    receiver = Receiver(hang_first(3))
    try:
        with pytest.raises(DeliveryFailed, match=r"no answer .* within 0\.5s") as info:
            WebhookNotifier("hooks", receiver.url, SECRET, timeout=0.5).send(NOTICE)
        assert not info.value.permanent
        WebhookNotifier("hooks", receiver.url, SECRET, timeout=5).send(NOTICE)  # later: taken
    finally:
        receiver.close()


def test_nobody_listening_is_retried() -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(DeliveryFailed, match="cannot reach") as info:
        WebhookNotifier("hooks", url, SECRET, timeout=2).send(NOTICE)
    assert not info.value.permanent


def test_slack_gets_block_kit_and_its_429_says_when_to_come_back() -> None:
    slack = slack_standin(limited=1, retry_after="7")
    notifier = SlackNotifier("oncall", slack.url, timeout=5)
    try:
        with pytest.raises(DeliveryFailed) as info:
            notifier.send(NOTICE)
        assert info.value.retry_after == 7.0
        assert not info.value.permanent
        notifier.send(NOTICE)
    finally:
        slack.close()
    message = json.loads(slack.requests[-1][1])
    blob = json.dumps(message, ensure_ascii=False)
    for live in ("<!channel>", "@here", "<https://evil", "*Checkout*", "<b>", "@channel"):
        assert live not in blob, live
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"
             and "text" in b]
    assert all(b["text"]["verbatim"] for b in message["blocks"] if "text" in b
               and b["type"] == "section")
    fields = "".join(f["text"] for b in message["blocks"] for f in b.get("fields", []))
    assert "SEV1" in fields
    assert "verified" in fields
    assert "hotfix backport HF-1" in fields
    assert any("FAILED" in t for t in texts)
    assert any(f"bug: eu{ZWSP}" in t or "bug: eu" in t for t in texts)
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["url"] == NOTICE.link
    assert message["unfurl_links"] is False


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.close()


def _mailer(port: int) -> EmailNotifier:
    return EmailNotifier("support", Smtp("127.0.0.1", port, starttls=False,
                                         sender="hotfix@example.com", timeout=5),
                         ["lead@example.com", "cto@example.com"])


def test_email_is_received_by_a_real_smtp_server(smtp: SmtpServer) -> None:
    _mailer(smtp.port).send(NOTICE)
    (mail,) = smtp.mails
    assert smtp.inbox.envelopes == [("hotfix@example.com",
                                     ["lead@example.com", "cto@example.com"])]
    assert mail["Subject"].startswith("[SEV1] HF-1 verify: ")
    plain, html = (part.get_content() for part in (mail.get_body(("plain",)),
                                                   mail.get_body(("html",))) if part)
    assert "Verification FAILED" in plain
    assert "FAIL bug: eu-checkout" in plain.replace(ZWSP, "")
    assert "https://hotfix.example/hotfixes/HF-1" in plain
    for live in ("https://evil", "@here", "<b>", "*Checkout*"):
        assert live not in plain.replace(NOTICE.link or "", ""), live
        assert live not in html, live


def test_an_smtp_server_that_refuses_is_a_dead_letter_and_one_down_is_retried() -> None:
    refusing = SmtpServer(refuse=550)
    try:
        with pytest.raises(DeliveryFailed, match="refused: 550") as info:
            _mailer(refusing.port).send(NOTICE)
        assert info.value.permanent
    finally:
        refusing.close()
    with pytest.raises(DeliveryFailed, match=r"SMTP 127\.0\.0\.1") as down:
        _mailer(free_port()).send(NOTICE)
    assert not down.value.permanent


def test_starttls_asked_of_a_server_without_it_is_a_dead_letter(smtp: SmtpServer) -> None:
    mailer = EmailNotifier("support", Smtp("127.0.0.1", smtp.port, starttls=True,
                                           sender="hotfix@example.com", timeout=5),
                           ["lead@example.com"])
    with pytest.raises(DeliveryFailed, match="does not offer STARTTLS") as info:
        mailer.send(NOTICE)
    assert info.value.permanent
    assert smtp.mails == []


def test_a_purge_sends_only_for_a_zone_and_a_bad_method_is_a_configuration_error() -> None:
    from hotfix.adapters.notify.purge import PurgeNotifier

    cdn = Receiver()
    try:
        purge = PurgeNotifier("cdn", f"{cdn.url}/{{zone}}", "POST", {"X-Key": "k"}, timeout=2)
        purge.send(Notice(id="HF-1.1.x.cdn", event="open", key="HF-1", title="t", state="s"))
        assert cdn.lines == []  # not a content change: nothing to purge
        purge.send(Notice(id="HF-2.5.x.cdn", event="publish", key="HF-2", title="t",
                          state="published", details={"zone": "promo banner"}))
        assert cdn.lines == [("POST", "/hook/promo%20banner")]
    finally:
        cdn.close()
    with pytest.raises(ConfigError, match="method 'PUT' is not one of"):
        PurgeNotifier("cdn", "https://cdn.example/{zone}", "PUT", {}, timeout=2)
    with pytest.raises(ConfigError, match="not an http"):
        PurgeNotifier("cdn", "cdn.example/{zone}", "POST", {}, timeout=2)
