"""The context every service runs in: the repository, its settings, its built adapters.

Services receive adapters here and never construct one; ``hotfix.wiring`` builds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix.config import Config

if TYPE_CHECKING:
    from hotfix.ports import (
        Cache,
        Clock,
        GitRepo,
        NotifyAdapters,
        Records,
        RolloutAdapters,
        Waivers,
    )
    from hotfix.ports.ci import CIPipeline
    from hotfix.ports.content import ContentCatalogs


@dataclass
class Context:
    root: Path
    cfg: Config
    records: Records  # every read and change of a hotfix record
    cache: Cache  # facts derived from commits, by SHA
    waivers: Waivers  # the audit's waivers that belong to no hotfix
    clock: Clock
    git: GitRepo = field(kw_only=True)  # the repository, through the git CLI
    rollout: RolloutAdapters = field(kw_only=True)  # target, router, metrics, state, judge
    ci: CIPipeline | None = field(default=None, kw_only=True)  # check.backend's, or local
    notify: NotifyAdapters = field(kw_only=True)  # the outbox and the configured channels
    closers: tuple[Callable[[], None], ...] = ()  # what ``close`` releases, in order
    # client mode: the team server's user this CLI acts as (its token's), else None
    acting_as: str | None = field(default=None, kw_only=True)
    # the synced content catalogs of the local record (None in client mode: the server's)
    content: ContentCatalogs | None = field(default=None, kw_only=True)

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        for close in self.closers:
            close()

