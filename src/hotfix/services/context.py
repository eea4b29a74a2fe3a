"""The context every service runs in: the repository, its settings, its built adapters.

Services receive adapters here and never construct one; ``hotfix.wiring`` builds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from hotfix.adapters.store.sql import SqlStore
from hotfix.config import Config
from hotfix.ports import Clock, GitRepo


@dataclass
class Context:
    root: Path
    cfg: Config
    store: SqlStore
    clock: Clock
    git: GitRepo

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        self.store.close()

