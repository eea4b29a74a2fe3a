"""Delivery from the outbox: at least once, the same id on every attempt, backoff with
jitter, Retry-After honoured, dead letters and their retry; status updates at the cadence
of an open SEV1. On the shipped fake notifier and a manual clock, and on a real webhook
receiver that is down for its first attempts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.notify.fake import FakeNotifier
from hotfix.errors import ConfigError, NotFound
from hotfix.ports import Notifier
from hotfix.services.context import Context
from hotfix.services.notify.dispatch import (
    Backoff,
    DeliveryReport,
    deliver_due,
    deliver_forever,
)
from hotfix.services.notify.outbox import outbox_status, retry_dead
from tests.adapters.notify.receivers import SECRET, WebhookReceiver, down_for
from tests.services.notify.setup import BOSS, REPORTER, SEV1_ANSWERS, T0, context, routed


def fakes(**oncall: object) -> dict[str, Notifier]:
    return {"oncall": FakeNotifier("oncall", **oncall),  # type: ignore[arg-type]
            "support": FakeNotifier("support"), "stakeholders": FakeNotifier("stakeholders")}


def sent(ctx: Context, name: str) -> list[str]:
    notifier = ctx.notify.channels()[name]
    assert isinstance(notifier, FakeNotifier)
    return [n.id for n in notifier.sent]


def drain(ctx: Context, clock: ManualClock, rounds: int = 60) -> int:
    """Run the dispatcher whenever something is next due; how many rounds it took."""
    for n in range(rounds):
        pending = outbox_status(ctx).pending
        if not pending:
            return n
        clock.advance(max(0.0, (min(m.next_at for m in pending) - clock.now())
                          .total_seconds()))
        deliver_due(ctx, clock.now(), jitter=lambda: 1.0)
    raise AssertionError("still pending")


def test_a_channel_down_for_its_first_attempts_gets_each_notice_once(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo), fakes(fail=5), clock=clock)
    key = ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS).key
    report = deliver_due(ctx, clock.now(), jitter=lambda: 1.0)
    assert (report.count("delivered"), report.count("retry")) == (1, 1)  # support, oncall
    assert drain(ctx, clock) == 5
    (oncall,) = sent(ctx, "oncall")
    assert oncall.startswith(f"{key}.2.")
    assert oncall.endswith(".oncall")
    assert sent(ctx, "support") == [oncall.replace(".oncall", ".support")]
    assert outbox_status(ctx).delivered == 2
    assert clock.now() - T0 == timedelta(seconds=10 + 20 + 40 + 80 + 160)  # doubling, no jitter


def test_backoff_doubles_with_jitter_up_to_its_cap_and_retry_after_wins() -> None:
    backoff = Backoff(base=10, cap=900, max_attempts=30, timeout=10)
    assert [backoff.delay(n, 1.0, None) for n in (1, 2, 3, 7, 8, 20)] == [
        10, 20, 40, 640, 900, 900]
    assert backoff.delay(3, 0.0, None) == 20  # jitter: half to all of it
    assert backoff.delay(1, 0.5, 42.0) == 42.0


def test_a_429_is_retried_when_retry_after_says(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo), fakes(fail=1, retry_after=120.0), clock=clock)
    ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS)
    deliver_due(ctx, clock.now())
    (waiting,) = outbox_status(ctx).pending
    assert waiting.next_at == T0 + timedelta(seconds=120)
    assert deliver_due(ctx, T0 + timedelta(seconds=119)).attempts == ()
    assert deliver_due(ctx, T0 + timedelta(seconds=120)).count("delivered") == 1


def test_a_permanent_failure_is_a_dead_letter_until_retried(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo), fakes(fail=1, permanent=True), clock=clock)
    ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS)
    assert deliver_due(ctx, clock.now()).count("dead") == 1
    (dead,) = outbox_status(ctx).dead
    assert dead.channel == "oncall"
    assert "down" in dead.last_error
    later = deliver_due(ctx, clock.now() + timedelta(days=1))  # a status update, not it
    assert dead.id not in [a.id for a in later.attempts]
    with pytest.raises(NotFound, match="not a dead letter: there is no such message"):
        retry_dead(ctx.notify.outbox, "HF-9.nope", ctx.now())
    assert retry_dead(ctx.notify.outbox, dead.id, ctx.now()) == [dead.id]
    assert deliver_due(ctx, clock.now()).count("delivered") == 1
    assert sent(ctx, "oncall")[-1] == dead.id
    with pytest.raises(NotFound, match="it is delivered"):
        retry_dead(ctx.notify.outbox, dead.id, ctx.now())


def test_attempts_run_out_into_a_dead_letter(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo, "\n[notify]\nmax_attempts = 3\n"), fakes(fail=99), clock=clock)
    ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS)
    for _ in range(3):
        deliver_due(ctx, clock.now(), jitter=lambda: 1.0)
        clock.advance(3600)
    assert [m.attempts for m in outbox_status(ctx).dead] == [3]


def test_status_updates_follow_the_cadence_while_a_sev1_is_open(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo), fakes(), clock=clock)
    key = ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS).key
    deliver_due(ctx, clock.now())
    clock.advance(29 * 60)
    assert deliver_due(ctx, clock.now()).status_queued == 0
    clock.advance(60)
    assert deliver_due(ctx, clock.now()).status_queued == 1
    assert deliver_due(ctx, clock.now() + timedelta(minutes=10)).status_queued == 0  # once
    clock.advance(3 * 3600)  # the dispatcher was down: the update due now, not six missed
    assert deliver_due(ctx, clock.now()).status_queued == 1
    status = [i for i in sent(ctx, "oncall") if ".status." in i]
    assert status == [f"{key}.status.2.1.oncall", f"{key}.status.2.7.oncall"]
    ctx.records.act(key, "reject", BOSS, {"reason": "dup"}, override="test")
    clock.advance(3600)
    assert deliver_due(ctx, clock.now()).status_queued == 0  # closed off: no more updates


def test_a_channel_configuration_error_touches_nothing(repo: Path) -> None:
    ctx = context(routed(repo))  # the real channels: the webhook's secret is not set
    ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS)
    with pytest.raises(ConfigError, match="HOTFIX_TEST_WEBHOOK_SECRET is not set") as info:
        deliver_due(ctx, T0)
    assert info.value.exit_code == 2
    assert [m.attempts for m in outbox_status(ctx).pending] == [0, 0]


def test_a_real_receiver_down_for_n_attempts_sees_every_message_once_by_id(
        repo: Path) -> None:
    receiver = WebhookReceiver(down_for(4))
    (repo / "hotfix.toml").write_text(
        f'[notify.channels.audit]\ntype = "webhook"\nurl = "{receiver.url}"\n'
        'secret_env = "HOOK_SECRET"\n\n[[notify.routes]]\non = ["*"]\nto = ["audit"]\n',
        encoding="utf-8")
    clock = ManualClock(T0)
    ctx = context(repo, clock=clock, environ={"HOOK_SECRET": SECRET})
    try:
        key = ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS).key
        ctx.records.act(key, "approve", BOSS, {"note": "go"})
        drain(ctx, clock)
    finally:
        receiver.close()
    expected = [m.id for m in ctx.notify.outbox.messages()]
    assert len(expected) == 3  # open, triage, approve
    assert receiver.rejected == []
    assert sorted(receiver.by_id) == sorted(expected)
    assert len(receiver.requests) == 4 + len(expected)  # retried, never more than needed
    assert sorted(p["type"] for p in receiver.by_id.values()) == [
        "hotfix.approve", "hotfix.open", "hotfix.triage"]
    assert outbox_status(ctx).delivered == 3


def test_watching_delivers_each_round_until_interrupted(repo: Path) -> None:
    clock = ManualClock(T0)
    ctx = context(routed(repo), fakes(fail=1), clock=clock)
    ctx.records.open("Checkout 500", REPORTER, SEV1_ANSWERS)
    rounds: list[int] = []

    def each(report: DeliveryReport) -> None:
        rounds.append(len(report.attempts))
        if len(rounds) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        deliver_forever(lambda: deliver_due(ctx, ctx.now()), clock, 15.0, each)
    assert rounds == [2, 1, 0]  # both tried; the failed one again 15 s on; nothing left
    assert clock.slept == [15.0, 15.0]
    assert outbox_status(ctx).delivered == 2
