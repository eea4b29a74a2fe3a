"""The derived zones, kept between requests: what the public zone endpoint, the content
pages and the schedule job read instead of every content record's events each time.

An entry is keyed by the catalog version and the record's ``EventLog.version()`` (records
and events written, by any process: on PostgreSQL every replica sharing the database sees
the other's writes at its next read), and holds until the next schedule instant
(``domain.content.live.next_boundary``), so a scheduled publish or expiry shows at its
instant. Checking an entry costs two small queries (the newest catalog's number, the log's
version) and builds no record; deriving again reads every record, as each request did
before the cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix.domain.content.catalog import Catalog
from hotfix.domain.content.live import Live, live_zones, next_boundary
from hotfix.domain.content.preview import fragment
from hotfix.domain.record.hotfix import Hotfix
from hotfix.errors import HotfixError
from hotfix.ports.content import CatalogVersion, ContentCatalogs
from hotfix.services.content.catalog import checked, current

if TYPE_CHECKING:
    from hotfix.ports.record import EventLog
    from hotfix.services.record.records import LocalRecords

Key = tuple[int, tuple[int, int]]  # (catalog version, the log's (records, events))


@dataclass(frozen=True)
class Derived:
    key: Key
    at: datetime  # derived at this instant
    until: datetime | None  # the next schedule instant: stale from then on
    content: list[Hotfix]  # every content record, oldest first
    zones: Mapping[str, Live]  # every zone ever published to, as shown at ``at``
    catalog: Catalog  # the catalog version of ``key`` (its approvals not applied)

    def holds(self, key: Key, now: datetime) -> bool:
        return self.key == key and self.at <= now and (self.until is None or now < self.until)


class ZoneCache:
    """One project's derived zones (and its newest catalog, checked once per version);
    safe across a server's request threads."""

    def __init__(self) -> None:
        self._catalog: tuple[CatalogVersion, Catalog] | None = None
        self._entry: Derived | None = None
        self._lock = threading.Lock()
        self.derivations = 0  # how often the records were read (the benchmark prints it)

    def catalog(self, catalogs: ContentCatalogs,
                checkout: Sequence[str]) -> tuple[CatalogVersion, Catalog]:
        """The newest catalog, read and re-checked against the policy only when its version
        moved."""
        kept = self._catalog
        if kept is not None and kept[0].version == catalogs.newest():
            return kept
        found = current(catalogs, checkout)
        self._catalog = found
        return found

    def derived(self, version: CatalogVersion, catalog: Catalog, log: EventLog,
                records: Callable[[], LocalRecords], catalogs: ContentCatalogs,
                checkout: Sequence[str], clock: Callable[[], datetime]) -> Derived:
        """The entry for now; ``records`` (the record to read, built only then) when
        ``log`` (the events under it) moved since, or a schedule instant passed."""
        key = (version.version, log.version())  # read before the records: an event
        entry = self._entry                     # written in between only re-derives
        if entry is not None and entry.holds(key, clock()):
            return entry
        with self._lock:
            entry = self._entry
            if entry is not None and entry.holds(key, clock()):
                return entry  # another thread derived it meanwhile
            self.derivations += 1
            content = [r for r in records().list() if r.kind == "content"]
            # the instant is taken after the read: an event stamped before its commit, while
            # this waited for the database, is not left out as "later than now"
            now = clock()
            zones = {name: _rendered(live, version.version, catalog, catalogs, checkout)
                     for name, live in live_zones(content, now).items()}
            entry = Derived(key, now, next_boundary(content, now), content, zones, catalog)
            self._entry = entry
            return entry


def _rendered(live: Live, newest: int, catalog: Catalog, catalogs: ContentCatalogs,
              checkout: Sequence[str]) -> Live:
    """``live`` with its fragment, rendered by the template its values were checked
    against (the catalog version of its draft; the newest one's when that is gone)."""
    if live.key is None or live.template is None:
        return live
    template = None
    if live.catalog_version is not None and live.catalog_version != newest:
        drafted = catalogs.get(live.catalog_version)
        try:
            template = checked(drafted.body, checkout).templates.get(live.template) \
                if drafted is not None else None
        except HotfixError:
            template = None  # that version no longer passes the policy: the newest one's
    template = template or catalog.templates.get(live.template)
    return replace(live, fragment=fragment(template, live.values)) if template else live
