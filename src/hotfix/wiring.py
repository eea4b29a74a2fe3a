"""The composition root: the one place that turns settings into adapters.

Every service receives what it uses on its ``Context``; nothing outside this module (and
tests, which pass fakes in) constructs an adapter."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git import cmd as git
from hotfix.config import Config, load_config
from hotfix.services.context import Context, ensure_state_dir
from hotfix.services.record import LocalRecords, RecordSettings

if TYPE_CHECKING:
    from hotfix.ports import Clock, Store


def open_context(
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
) -> Context:
    """Find the repository above ``start``, load its settings, build its adapters.

    Tests pass fakes in (``store=MemoryStore()``, ``clock=ManualClock()``); no setting
    selects them."""
    root = git.repo_root(start)
    cfg = load_config(root, environ, overrides)
    clock = clock or SystemClock()
    store = store or open_store(root, cfg)
    return Context(root=root, cfg=cfg,
                   records=LocalRecords(store, RecordSettings.from_config(cfg), clock),
                   cache=store.cache, waivers=store.waivers, clock=clock,
                   closers=(store.close,))


def open_store(root: Path, cfg: Config) -> Store:
    """SQLite in ``.hotfix/`` when ``database.url`` is empty, else the database it names."""
    from hotfix.adapters.store.database import sqlite_url
    from hotfix.adapters.store.sql import SqlStore

    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return SqlStore(url)
