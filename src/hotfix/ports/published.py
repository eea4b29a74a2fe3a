"""What a team's CI publishes to the team server for people to read there (the audit of the
release lines): ``hotfix.adapters.store.published`` keeps every version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Publication:
    id: int
    kind: str
    commit: str
    body: Any  # JSON
    actor: str
    at: datetime


class Publications(Protocol):
    def publish(self, kind: str, commit: str, body: Any, actor: str, at: datetime) -> Publication:
        """Keep a new version of ``kind``."""
        ...

    def latest(self, kind: str) -> Publication | None:
        """The newest version of ``kind``, if any was published."""
        ...

    def every(self, kind: str) -> list[Publication]:
        """Every version of ``kind``, oldest first (e.g. each deployment CI reported)."""
        ...
