"""The synced content catalogs (zones and templates), every version kept, and beside them
the images uploaded into image slots, each kept once under its content hash.

Implemented by ``hotfix.adapters.store.content.SqlContentCatalogs`` (the record's database,
migrations 0006_content and 0010_content_images: replicas behind a proxy share it, so an
image uploaded through one is served by every other) and
``hotfix.adapters.store.content_memory.MemoryContentCatalogs`` (the fake)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
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


class ContentImages(Protocol):
    def keep(self, facts: ImageFacts, data: bytes, actor: str, at: datetime) -> bool:
        """Keep ``data`` under ``facts.name`` unless an image of that name is kept already
        (the same bytes: nothing written); True when it was new."""
        ...

    def facts(self, name: str) -> ImageFacts | None:
        """What is known of the kept image ``name``, without reading its bytes."""
        ...

    def get(self, name: str) -> KeptImage | None: ...


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

    def publish(self, key: str, actor: str) -> Hotfix: ...

    def revert(self, key: str, actor: str) -> Hotfix: ...

    def schedule(self, key: str, actor: str, start: str | None, end: str | None,
                 tz: str = "UTC") -> Hotfix: ...

    def zone(self, name: str) -> Live: ...
