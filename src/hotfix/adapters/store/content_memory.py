"""The fake ``ports.ContentCatalogs``: the same answers as the SQL one, in memory."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hotfix.ports.content import CatalogVersion


class MemoryContentCatalogs:
    def __init__(self) -> None:
        self.kept: list[CatalogVersion] = []

    def add(self, body: Mapping[str, Any], digest: str, actor: str,
            at: datetime) -> tuple[CatalogVersion, bool]:
        if self.kept and self.kept[-1].digest == digest:
            return self.kept[-1], False
        self.kept.append(CatalogVersion(len(self.kept) + 1, digest, copy.deepcopy(dict(body)),
                                        actor, at))
        return self.kept[-1], True

    def latest(self) -> CatalogVersion | None:
        return self.kept[-1] if self.kept else None

    def newest(self) -> int | None:
        return len(self.kept) or None

    def get(self, version: int) -> CatalogVersion | None:
        return self.kept[version - 1] if 0 < version <= len(self.kept) else None

    def versions(self) -> list[CatalogVersion]:
        return list(self.kept)
