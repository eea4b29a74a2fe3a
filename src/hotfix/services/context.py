"""The context every service runs in: the repository, its settings, its built adapters.

Services receive adapters here and never construct one; ``hotfix.wiring`` builds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix.adapters.git import cmd as git
from hotfix.config import Config

if TYPE_CHECKING:
    from hotfix.ports import Cache, Clock, Records, RolloutAdapters, Waivers


@dataclass
class Context:
    root: Path
    cfg: Config
    records: Records  # every read and change of a hotfix record
    cache: Cache  # facts derived from commits, by SHA
    waivers: Waivers  # the audit's waivers that belong to no hotfix
    clock: Clock
    rollout: RolloutAdapters = field(kw_only=True)  # target, router, metrics, state, judge
    closers: tuple[Callable[[], None], ...] = ()  # what ``close`` releases, in order

    def now(self) -> datetime:
        return self.clock.now()

    def close(self) -> None:
        for close in self.closers:
            close()


def ensure_state_dir(root: Path) -> Path:
    """``.hotfix/`` in the repo, created on first use and kept out of git by info/exclude."""
    state = root / ".hotfix"
    state.mkdir(exist_ok=True)
    exclude = Path(git.out(["rev-parse", "--git-path", "info/exclude"], root))
    if not exclude.is_absolute():
        exclude = root / exclude
    lines = exclude.read_text(encoding="utf-8").splitlines() if exclude.exists() else []
    if "/.hotfix/" not in lines:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        exclude.write_text("\n".join([*lines, "/.hotfix/"]) + "\n", encoding="utf-8")
    return state
