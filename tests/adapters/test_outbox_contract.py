"""The outbox's contract, on SQLite, PostgreSQL and the memory store: notices are written in
the same transaction as the events they tell of (an event is never without its notices,
nor a notice without its event), each id once, each claim held by one dispatcher."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from hotfix.errors import ConfigError, GuardRefused
from hotfix.ports import Notice, Outgoing, Store
from tests.adapters.conftest import Backend
from tests.adapters.test_store_contract import T0

REPORTER = "rey@example.com"


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    opened = backend.open()
    yield opened
    opened.close()


def _notice(i: str) -> list[Outgoing]:
    return [Outgoing("oncall", Notice(id=i, event="note", key="HF-1", title="t",
                                      state="reported"))]


def test_notices_are_queued_with_their_event_and_not_without_it(store: Store) -> None:
    opened = store.create("Bug", REPORTER, T0, {"title": "Bug"},
                          notify=lambda before, new: _notice(f"open-{new[0].seq}"))
    store.append(opened.hotfix, lambda evs: [(REPORTER, "note", {})], T0,
                 notify=lambda before, new: _notice(f"note-{len(before)}-{new[0].seq}"))
    assert [m.id for m in store.outbox.messages()] == ["open-1", "note-1-2"]

    def refuse(_events: object) -> list[object]:
        raise GuardRefused("no")

    def broken(_before: object, _new: object) -> list[Outgoing]:
        raise ConfigError("bad route")

    with pytest.raises(GuardRefused):
        store.append(opened.hotfix, refuse, T0, notify=lambda b, n: _notice("never"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        store.append(opened.hotfix, lambda evs: [(REPORTER, "note", {})], T0, notify=broken)
    assert len(store.events(opened.hotfix)) == 2  # the event whose notices failed: not written
    assert [m.id for m in store.outbox.messages()] == ["open-1", "note-1-2"]


def test_the_same_id_is_queued_once(store: Store) -> None:
    number = store.create("Bug", REPORTER, T0, {"title": "Bug"}).hotfix
    assert store.outbox.add(number, _notice("a") + _notice("a"), T0) == 1
    assert store.outbox.add(number, _notice("a") + _notice("b"), T0) == 1
    assert [m.id for m in store.outbox.messages()] == ["a", "b"]


def test_a_claimed_message_is_not_claimed_twice_until_its_hold_ends(store: Store) -> None:
    number = store.create("Bug", REPORTER, T0, {"title": "Bug"}).hotfix
    store.outbox.add(number, _notice("a"), T0)
    hold = T0 + timedelta(minutes=1)
    (first,) = store.outbox.claim(T0, hold, 10)
    assert first.attempts == 1
    assert store.outbox.claim(T0 + timedelta(seconds=59), hold, 10) == []
    (again,) = store.outbox.claim(hold, hold + timedelta(minutes=1), 10)  # its taker died
    assert again.id == "a"
    assert again.attempts == 2


def test_a_job_run_retried_takes_back_what_it_held_at_once_and_nothing_else(
        store: Store) -> None:
    number = store.create("Bug", REPORTER, T0, {"title": "Bug"}).hotfix
    store.outbox.add(number, _notice("a") + _notice("b") + _notice("c"), T0)
    hold = T0 + timedelta(minutes=5)
    assert [m.id for m in store.outbox.claim(T0, hold, 1, holder="job:7")] == ["a"]
    assert [m.id for m in store.outbox.claim(T0, hold, 1, holder="job:8")] == ["b"]
    store.outbox.failed("b", "503", T0 + timedelta(minutes=1))  # backing off: not job 8's now
    later = T0 + timedelta(seconds=5)  # job 7's worker died; its retry runs under the same id
    again = store.outbox.claim(later, later + timedelta(minutes=5), 10, holder="job:7")
    assert sorted((m.id, m.attempts) for m in again) == [("a", 2), ("c", 1)]
    assert store.outbox.claim(later, hold, 10, holder="job:8") == []
    store.outbox.delivered("a", later)
    # another run, once b's backoff is over: b only (c stays job 7's until its hold ends)
    assert [m.id for m in store.outbox.claim(hold, hold, 10, holder="job:9")] == ["b"]


def test_dispatchers_claiming_at_once_never_share_a_message(backend: Backend) -> None:
    stores = [backend.open() for _ in range(4)]
    number = stores[0].create("Bug", REPORTER, T0, {"title": "Bug"}).hotfix
    stores[0].outbox.add(number, [o for i in range(40) for o in _notice(f"m{i}")], T0)
    claimed: list[list[str]] = []
    start = threading.Barrier(len(stores))

    def dispatcher(store: Store) -> None:
        start.wait()
        mine: list[str] = []
        while batch := store.outbox.claim(T0, T0 + timedelta(minutes=5), 3):
            mine.extend(m.id for m in batch)
        claimed.append(mine)

    threads = [threading.Thread(target=dispatcher, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    every = [i for mine in claimed for i in mine]
    assert sorted(every) == sorted(f"m{i}" for i in range(40))  # each once, none lost
