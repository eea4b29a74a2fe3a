"""The synced content catalogs (zones and templates), every version kept, and beside them
the images uploaded into image slots, each kept once under its content hash.

Implemented by ``hotfix.adapters.store.content.SqlContentCatalogs`` (the record's database,
migrations 0006_content and 0010_content_images: replicas behind a proxy share it, so an
image uploaded through one is served by every other) and
``hotfix.adapters.store.content_memory.MemoryContentCatalogs`` (the fake)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hotfix.domain.content.approval import TemplateApproval
    from hotfix.domain.content.catalog import Catalog
    from hotfix.domain.content.images import ImageFacts, Upload
    from hotfix.domain.content.live import Live
    from hotfix.domain.record.hotfix import Hotfix


@dataclass(frozen=True)
class CatalogVersion:
    version: int  # 1, 2, … in the order synced
    digest: str  # SHA-256 of the canonical body
    body: Mapping[str, Any]  # {"zones": {…}, "templates": {…}}
    actor: str
    at: datetime


@dataclass(frozen=True)
class KeptImage:
    facts: ImageFacts  # its name (sha256 + extension), type and size, from its bytes
    data: bytes
    actor: str  # who uploaded it first
    at: datetime


@dataclass(frozen=True)
class StoredImage:
    """A kept image without its bytes."""

    facts: ImageFacts
    actor: str
    at: datetime


@dataclass(frozen=True)
class Pruned:
    """What a prune of the kept images found: those no event of any record names, older
    than the grace period (``removed`` when they were removed, else a dry run), and how many
    stay (named by an event, or too recent to tell)."""

    unreferenced: tuple[StoredImage, ...]
    kept: int  # named by an event of some record: never removed
    recent: int  # named by none, but kept within the grace period: an upload in flight
    removed: bool

    def to_dict(self) -> dict[str, object]:
        return {"removed": self.removed, "kept": self.kept, "recent": self.recent,
                "bytes": sum(s.facts.size for s in self.unreferenced),
                "unreferenced": [{"name": s.facts.name, "size": s.facts.size,
                                  "media_type": s.facts.media_type, "width": s.facts.width,
                                  "height": s.facts.height, "actor": s.actor,
                                  "at": s.at.isoformat()} for s in self.unreferenced]}


class ContentImages(Protocol):
    def keep(self, facts: ImageFacts, data: bytes, actor: str, at: datetime) -> bool:
        """Keep ``data`` under ``facts.name`` unless an image of that name is kept already
        (the same bytes: nothing written); True when it was new."""
        ...

    def facts(self, name: str) -> ImageFacts | None:
        """What is known of the kept image ``name``, without reading its bytes."""
        ...

    def get(self, name: str) -> KeptImage | None: ...

    def stored(self) -> list[StoredImage]:
        """Every kept image without its bytes, oldest first."""
        ...

    def remove(self, names: Collection[str], before: datetime) -> list[str]:
        """Remove those of ``names`` kept before ``before`` (one kept again since stays):
        the names removed."""
        ...


class ContentCatalogs(Protocol):
    @property
    def images(self) -> ContentImages:
        """The images uploaded into image slots, kept beside the catalogs."""
        ...

    def add(self, body: Mapping[str, Any], digest: str, actor: str,
            at: datetime) -> tuple[CatalogVersion, bool]:
        """Keep ``body`` as a new version, unless the newest has the same digest (then that
        one, and False)."""
        ...

    def latest(self) -> CatalogVersion | None: ...

    def newest(self) -> int | None:
        """The newest version's number (None: nothing synced yet), without its body: what a
        cache of things derived from the catalog checks on each read."""
        ...

    def get(self, version: int) -> CatalogVersion | None: ...

    def versions(self) -> list[CatalogVersion]:
        """Every version, oldest first."""
        ...


class Content(Protocol):
    """The content use cases as the CLI calls them: on the local record
    (``hotfix.services.content.changes.ContentDesk``) or on the team server
    (``hotfix.adapters.remote.content.RemoteContent``), which decides with its own catalog."""

    def sync(self, body: Mapping[str, Any], actor: str) -> tuple[CatalogVersion, bool]: ...

    def catalog(self) -> tuple[CatalogVersion, Catalog]: ...

    def approve(self, name: str, digest: str, actor: str) -> tuple[TemplateApproval, bool]:
        """Approve template ``name`` as seen (its digest): an event pinning it; an approval
        already standing is returned with False."""
        ...

    def change(self, name: str, values: Mapping[str, Any], actor: str,
               title: str | None = None, files: Mapping[str, Upload] | None = None
               ) -> Hotfix: ...

    def draft(self, key: str, name: str, values: Mapping[str, Any], actor: str,
              files: Mapping[str, Upload] | None = None) -> Hotfix: ...

    def publish(self, key: str, actor: str, over: str | None = None) -> Hotfix:
        """Publish now; refused (``ZoneChanged``) when the zone no longer shows what it
        showed at the draft, or ``over`` (a record's id, or ``none``) when given."""
        ...

    def revert(self, key: str, actor: str) -> Hotfix: ...

    def schedule(self, key: str, actor: str, start: str | None, end: str | None,
                 tz: str = "UTC", over: str | None = None) -> Hotfix: ...

    def zone(self, name: str) -> Live: ...

    def image(self, name: str) -> bytes | None:
        """The bytes of the kept image ``name`` (None: there is none)."""
        ...

    def prune_images(self, apply: bool, grace: timedelta) -> Pruned:
        """The kept images no event of any record names (a draft, live or historical, so a
        revert always finds its image), kept longer than ``grace`` ago; removed when
        ``apply``, else only listed."""
        ...
