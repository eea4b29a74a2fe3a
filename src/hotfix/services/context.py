"""The context every service runs in: the repository, its settings, the store, the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd as git
from hotfix.adapters.store.sql import SqlStore, sqlite_url
from hotfix.config import Config, load_config


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    root: Path
    cfg: Config
    store: SqlStore
    now: Callable[[], datetime] = field(default=utcnow)

    def close(self) -> None:
        self.store.close()


def open_context(
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    now: Callable[[], datetime] = utcnow,
) -> Context:
    """Find the repository above ``start``, load its settings, open its store."""
    root = git.repo_root(start)
    cfg = load_config(root, environ, overrides)
    return Context(root=root, cfg=cfg, store=open_store(root, cfg), now=now)


def open_store(root: Path, cfg: Config) -> SqlStore:
    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return SqlStore(url)


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
