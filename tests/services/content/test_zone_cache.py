"""The derived zones kept between calls, on SQLite and PostgreSQL, two desks on their own
connections (two replicas with their own caches): read once while nothing changes, read
again after any event either writes, and a scheduled publish or expiry shows at its instant
with no event written; the schedule job reads no record while nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from hotfix.adapters.clock import ManualClock
from hotfix.adapters.store.sql import SqlStore
from hotfix.config import load_config
from hotfix.domain.content.catalog import CHECKOUT_PATHS, Catalog
from hotfix.services.content.catalog import sync
from hotfix.services.content.changes import ContentDesk, deciding_with
from hotfix.services.record.records import LocalRecords, RecordSettings

from .test_changes import ENG, LEAD, MKT, T0, approve, body


@pytest.fixture
def replicas(db_url: str, tmp_path: Path) -> Iterator[tuple[ContentDesk, ContentDesk]]:
    clock = ManualClock(T0)
    settings = RecordSettings.from_config(load_config(tmp_path, {}))
    stores = SqlStore(db_url), SqlStore(db_url)

    def desk_on(store: SqlStore) -> ContentDesk:
        records = LocalRecords(store, settings, clock)

        def records_for(catalog: Catalog) -> LocalRecords:
            return deciding_with(records, catalog)

        return ContentDesk(store.content, records_for, clock, CHECKOUT_PATHS)

    one, two = desk_on(stores[0]), desk_on(stores[1])
    sync(one.catalogs, body(), ENG, clock, CHECKOUT_PATHS)
    approve(one, body())
    yield one, two
    for store in stores:
        store.close()


def approved(desk: ContentDesk, deadline: str) -> str:
    key = desk.change("shipping-deadline", {"deadline": deadline, "note": "<p>x</p>"},
                      MKT).key
    desk.records_for(Catalog({}, {}, {})).act(key, "approve", LEAD, {})
    return key


def test_a_replica_reads_the_records_again_only_after_an_event(
        replicas: tuple[ContentDesk, ContentDesk]) -> None:
    one, two = replicas
    assert one.zone("shipping").key is None
    reads = one.cache.derivations
    for _ in range(5):
        assert one.zone("shipping").key is None
        one.history("shipping")
    assert one.cache.derivations == reads  # nothing written: no record read
    key = approved(two, "2099-12-18")  # the other replica writes
    assert one.zone("shipping").key is None  # drafted, not published
    two.publish(key, MKT)
    shown = one.zone("shipping")  # its cache is stale at once: the log's version moved
    assert shown.key == key
    assert '<time datetime="2099-12-18">' in shown.fragment
    assert one.cache.derivations > reads
    reads = one.cache.derivations
    two.revert(key, MKT)
    assert one.zone("shipping").key is None
    assert one.cache.derivations == reads + 1


def test_a_schedule_shows_at_its_instant_with_no_event_written(
        replicas: tuple[ContentDesk, ContentDesk]) -> None:
    one, two = replicas
    clock = one.clock
    assert isinstance(clock, ManualClock)
    key = approved(two, "2099-12-20")
    two.schedule(key, MKT, (T0 + timedelta(hours=1)).isoformat(),
                 (T0 + timedelta(hours=2)).isoformat())
    assert one.zone("shipping").key is None
    assert one.run_due() == []
    reads = one.cache.derivations
    clock.advance(3599)
    assert one.zone("shipping").key is None
    assert one.run_due() == []
    assert one.cache.derivations == reads  # before its start: the entry holds
    clock.advance(1)
    assert one.zone("shipping").key == key  # at its start, though no job ran yet
    assert one.cache.derivations == reads + 1
    assert one.run_due() == [(key, "publish")]
    clock.advance(3600)
    assert one.zone("shipping").key is None  # at its end
    assert two.run_due() == [(key, "expire")]
    reads = two.cache.derivations
    for _ in range(3):
        assert two.run_due() == []
    assert two.cache.derivations == reads + 1  # once after its own expire event, then none


def test_an_event_stamped_before_the_read_and_committed_during_it_is_not_left_out(
        replicas: tuple[ContentDesk, ContentDesk]) -> None:
    """The writer stamps its event, then commits while this replica waits for the database
    (SQLite readers queue behind the write lock): the entry must show it, or it would be
    stale under the new version until the next event."""
    one, two = replicas
    clock = one.clock
    assert isinstance(clock, ManualClock)
    key = approved(two, "2099-12-18")
    version, catalog = one.catalog()
    records = one.records_for(catalog)

    class Meanwhile:
        def version(self) -> tuple[int, int]:
            clock.advance(1)  # stamped after the request began...
            two.publish(key, MKT)  # ...and committed before its read
            return records.log.version()

    got = one.cache.derived(version, catalog, Meanwhile(), lambda: records,  # type: ignore[arg-type]
                            one.catalogs, one.checkout, clock.now)
    assert got.zones["shipping"].key == key
    assert one.zone("shipping").key == key
