"""The fake ``ports.ContentCatalogs`` (and its ``ContentImages``): the same answers as the
SQL ones, in memory."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from hotfix.domain.content.images import ImageFacts
from hotfix.ports.content import CatalogVersion, KeptImage, StoredImage


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

    def newest(self) -> int | None:
        return len(self.kept) or None

    def get(self, version: int) -> CatalogVersion | None:
        return self.kept[version - 1] if 0 < version <= len(self.kept) else None

    def versions(self) -> list[CatalogVersion]:
        return list(self.kept)


class MemoryContentImages:
    def __init__(self) -> None:
        self.kept: dict[str, KeptImage] = {}

    def keep(self, facts: ImageFacts, data: bytes, actor: str, at: datetime) -> bool:
        if facts.name in self.kept:  # kept again: a prune's grace period starts over
            self.kept[facts.name] = replace(self.kept[facts.name], at=at)
            return False
        self.kept[facts.name] = KeptImage(facts, bytes(data), actor, at)
        return True

    def facts(self, name: str) -> ImageFacts | None:
        found = self.kept.get(name)
        return found.facts if found else None

    def get(self, name: str) -> KeptImage | None:
        return self.kept.get(name)

    def stored(self) -> list[StoredImage]:
        return sorted((StoredImage(k.facts, k.actor, k.at) for k in self.kept.values()),
                      key=lambda s: (s.at, s.facts.name))

    def remove(self, names: Collection[str], before: datetime) -> list[str]:
        gone = sorted(n for n in set(names) if n in self.kept and self.kept[n].at < before)
        for name in gone:
            del self.kept[name]
        return gone
