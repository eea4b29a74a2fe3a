"""The fake ``ports.ContentCatalogs`` (and its ``ContentImages``): the same answers as the
SQL ones, in memory."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hotfix.domain.content.images import ImageFacts
from hotfix.ports.content import CatalogVersion, KeptImage


class MemoryContentCatalogs:
    def __init__(self) -> None:
        self.kept: list[CatalogVersion] = []
        self.images = MemoryContentImages()

    def add(self, body: Mapping[str, Any], digest: str, actor: str,
            at: datetime) -> tuple[CatalogVersion, bool]:
        if self.kept and self.kept[-1].digest == digest:
            return self.kept[-1], False
        self.kept.append(CatalogVersion(len(self.kept) + 1, digest, copy.deepcopy(dict(body)),
                                        actor, at))
        return self.kept[-1], True

    def latest(self) -> CatalogVersion | None:
        return self.kept[-1] if self.kept else None

    def get(self, version: int) -> CatalogVersion | None:
        return self.kept[version - 1] if 0 < version <= len(self.kept) else None

    def versions(self) -> list[CatalogVersion]:
        return list(self.kept)


class MemoryContentImages:
    def __init__(self) -> None:
        self.kept: dict[str, KeptImage] = {}

    def keep(self, facts: ImageFacts, data: bytes, actor: str, at: datetime) -> bool:
        if facts.name in self.kept:
            return False
        self.kept[facts.name] = KeptImage(facts, bytes(data), actor, at)
        return True

    def facts(self, name: str) -> ImageFacts | None:
        found = self.kept.get(name)
        return found.facts if found else None

    def get(self, name: str) -> KeptImage | None:
        return self.kept.get(name)
