"""The record's writes queue the notices its routes ask for, in the same transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.store.memory import MemoryStore
from hotfix.adapters.store.sql import SqlStore
from hotfix.errors import ConfigError
from hotfix.ports import Store
from tests.services.notify.setup import BOSS, REPORTER, SEV1_ANSWERS, context, routed


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
def test_routes_decide_which_events_queue_what(repo: Path, kind: str) -> None:
    store: Store = (MemoryStore() if kind == "memory"
                    else SqlStore(f"sqlite:///{repo / 'n.db'}"))
    ctx = context(routed(repo), store=store)
    rec = ctx.records.open("Checkout <!channel> 500", REPORTER, SEV1_ANSWERS)
    assert rec.triage
    assert rec.triage["severity"] == "SEV1"
    ctx.records.act(rec.key, "approve", BOSS, {"note": "go"})  # no route: nothing
    messages = ctx.notify.outbox.messages()
    assert [(m.channel, m.notice.event) for m in messages] == [("oncall", "triage"),
                                                               ("support", "triage")]
    notice = messages[0].notice
    assert notice.id == f"{rec.key}.2.{rec.events[1].hash[:12]}.oncall"
    assert (notice.key, notice.title, notice.severity, notice.state) == (
        rec.key, "Checkout <!channel> 500", "SEV1", "triaged")
    assert notice.next_step
    assert rec.key in notice.next_step


def test_a_route_to_an_unknown_channel_refuses_the_write_and_says_so(repo: Path) -> None:
    ctx = context(routed(repo, '\n[[notify.routes]]\non = ["open"]\nto = ["pager"]\n'))
    with pytest.raises(ConfigError, match=r"notify.routes\[3\] sends to pager"):
        ctx.records.open("Bug", REPORTER)
    assert ctx.records.list() == []  # nothing written, nothing lost later


def test_no_routes_queue_nothing(repo: Path) -> None:
    ctx = context(repo)
    ctx.records.open("Bug", REPORTER, SEV1_ANSWERS)
    assert ctx.notify.outbox.messages() == []
