"""The synced content catalogs (zones and templates), every version kept.

Implemented by ``hotfix.adapters.store.content.SqlContentCatalogs`` (the record's database,
migration 0004_content) and ``hotfix.adapters.store.content_memory.MemoryContentCatalogs``
(the fake)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class CatalogVersion:
    version: int  # 1, 2, … in the order synced
    digest: str  # SHA-256 of the canonical body
    body: Mapping[str, Any]  # {"zones": {…}, "templates": {…}}
    actor: str
    at: datetime


class ContentCatalogs(Protocol):
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
