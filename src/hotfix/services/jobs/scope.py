"""What a job runs against: one project of the team server, decided with the server's
settings for it (never a client's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix.config import Config

if TYPE_CHECKING:
    from hotfix.ports import Clock, NotifyAdapters, Records
    from hotfix.services.content.changes import ContentDesk


@dataclass(frozen=True)
class ProjectScope:
    name: str
    cfg: Config  # the project's settings, as the server read them
    records: Records  # its record, as the server decides it
    notify: NotifyAdapters  # its outbox and channels
    clock: Clock
    content: ContentDesk | None = None  # its content catalog (a SQL record keeps one)

    def now(self) -> datetime:
        return self.clock.now()
