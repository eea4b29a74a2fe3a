"""Two marketers publishing to one zone at once, on SQLite and PostgreSQL: two desks, each
on its own connection to the database (as two server replicas), publish changes drafted
against the same zone at the same instant, round after round. Exactly one lands each time,
the other is refused naming the record that won and its values, nothing of it is written,
the zone shows the winner, and the loser can still publish over it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.store.sql import SqlStore
from hotfix.config import load_config
from hotfix.domain.content.catalog import CHECKOUT_PATHS, Catalog
from hotfix.domain.record.hotfix import Hotfix
from hotfix.errors import ZoneChanged
from hotfix.services.content.catalog import sync
from hotfix.services.content.changes import ContentDesk, deciding_with
from hotfix.services.record.records import LocalRecords, RecordSettings

from .test_changes import ENG, LEAD, MKT, MKT2, approve, body

ROUNDS = 12


def desk_on(store: SqlStore, settings: RecordSettings) -> ContentDesk:
    records = LocalRecords(store, settings, SystemClock())

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(records, catalog)

    return ContentDesk(store.content, records_for, SystemClock(), CHECKOUT_PATHS)


@pytest.fixture
def desks(db_url: str, tmp_path: Path) -> Iterator[tuple[ContentDesk, ContentDesk]]:
    settings = RecordSettings.from_config(load_config(tmp_path, {}))
    stores = SqlStore(db_url), SqlStore(db_url)  # two engines: two replicas' connections
    first, second = (desk_on(s, settings) for s in stores)
    sync(first.catalogs, body(), ENG, SystemClock(), CHECKOUT_PATHS)
    approve(first, body())
    yield first, second
    for store in stores:
        store.close()


def approved(desk: ContentDesk, deadline: str, by: str) -> str:
    key = desk.change("shipping-deadline", {"deadline": deadline, "note": f"<p>{by}</p>"},
                      by).key
    desk.records_for(Catalog({}, {}, {})).act(key, "approve", LEAD, {})
    return key


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run ``calls`` on threads released together; what each returned, or raised."""
    start = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(n: int) -> None:
        start.wait()
        try:
            out[n] = calls[n]()
        except Exception as exc:  # the caller asserts on it
            out[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return out


def test_of_two_publishes_at_once_exactly_one_lands_and_the_other_is_told(
        desks: tuple[ContentDesk, ContentDesk]) -> None:
    mia, max_ = desks
    won: dict[str, int] = {}
    for n in range(ROUNDS):
        keys = (approved(mia, f"2099-12-{n + 1:02d}", MKT),
                approved(max_, f"2099-11-{n + 1:02d}", MKT2))
        got = at_once(partial(mia.publish, keys[0], MKT), partial(max_.publish, keys[1], MKT2))
        results = dict(zip(keys, got, strict=True))
        landed = [k for k in keys if isinstance(results[k], Hotfix)]
        assert len(landed) == 1, results
        (winner,) = landed
        (loser,) = [k for k in keys if k != winner]
        refusal = results[loser]
        assert isinstance(refusal, ZoneChanged)
        shown = mia.zone("shipping")
        assert shown.key == winner == max_.zone("shipping").key  # both replicas see it
        assert f"{winner} (shipping-deadline: deadline={shown.values['deadline']}" in \
            refusal.message
        assert f"nothing of {loser} was published" in refusal.message
        assert f"--over {winner}" in (refusal.hint or "")
        records = mia.records_for(Catalog({}, {}, {}))
        assert records.get(winner).state.value == "published"
        lost = records.get(loser)
        assert (lost.state.value, lost.events[-1].kind) == ("approved", "approve")
        won[winner] = won.get(winner, 0) + 1
    # nothing lost: the last loser publishes over the winner, knowingly
    again = (max_ if loser == keys[1] else mia).publish(loser, MKT, over=winner)
    assert again.state.value == "published"
    assert mia.zone("shipping").key == loser
    assert sum(won.values()) == ROUNDS


def test_a_publish_after_someone_else_moved_the_zone_is_refused_until_over(
        desks: tuple[ContentDesk, ContentDesk]) -> None:
    mia, max_ = desks
    first, second = approved(mia, "2099-12-18", MKT), approved(max_, "2099-12-20", MKT2)
    mia.publish(first, MKT)
    with pytest.raises(ZoneChanged, match=f"changed since {second} was drafted against "
                       f"nothing: {first} \\(shipping-deadline: deadline=2099-12-18"):
        max_.publish(second, MKT2)
    assert max_.zone("shipping").key == first
    with pytest.raises(ZoneChanged, match=f"is not empty, as {second} expected: {first} "):
        # naming the wrong one is refused too
        max_.publish(second, MKT2, over="none")
    assert max_.publish(second, MKT2, over=first).state.value == "published"
    mia.revert(second, MKT)  # back to the first: a revert is no publish, never refused
    assert max_.zone("shipping").key == first
