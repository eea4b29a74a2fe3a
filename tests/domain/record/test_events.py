"""The hash chain catches any change, removal or reordering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.record.events import GENESIS, Event, sealed, verify_chain

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def chain(n: int) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        ev = sealed(hotfix=1, seq=seq, at=T0 + timedelta(minutes=seq), actor=f"p{seq}@x",
                    kind="note", payload={"n": seq, "text": "é ✓"}, prev_hash=prev)
        events.append(ev)
        prev = ev.hash
    return events


def test_intact_chain_verifies() -> None:
    events = chain(5)
    report = verify_chain(events, (5, events[-1].hash))
    assert report.ok
    assert report.checked == 5


def test_altered_payload_is_named() -> None:
    events = chain(5)
    events[2] = replace(events[2], payload={"n": 99, "text": "é ✓"})
    report = verify_chain(events)
    assert not report.ok
    assert report.bad_seq == 3
    assert "altered" in (report.problem or "")


def test_removed_event_is_named() -> None:
    events = chain(5)
    del events[1]
    report = verify_chain(events)
    assert (report.ok, report.bad_seq) == (False, 2)


def test_removed_last_event_is_caught_by_the_head() -> None:
    events = chain(5)
    head = (5, events[-1].hash)
    assert verify_chain(events[:-1]).ok  # the chain alone cannot see it
    report = verify_chain(events[:-1], head)
    assert not report.ok
    assert "removed" in (report.problem or "")


def test_rehashed_forgery_breaks_the_next_link() -> None:
    events = chain(4)
    forged = sealed(hotfix=1, seq=2, at=events[1].at, actor="mallory@x", kind="approve",
                    payload={}, prev_hash=events[0].hash)
    events[1] = forged
    report = verify_chain(events)
    assert (report.ok, report.bad_seq) == (False, 3)


@given(index=st.integers(0, 5), field=st.sampled_from(["actor", "kind", "at"]))
def test_any_field_change_is_detected(index: int, field: str) -> None:
    events = chain(6)
    value = {"actor": "x@y", "kind": "close", "at": T0 - timedelta(days=1)}[field]
    events[index] = replace(events[index], **{field: value})
    report = verify_chain(events)
    assert not report.ok
    assert report.bad_seq == index + 1
