"""The composition root: the one place that turns settings into adapters.

Every service receives what it uses on its ``Context``; nothing outside this module (and
tests, which pass fakes in) constructs an adapter."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git import cmd as git
from hotfix.adapters.store.sql import SqlStore, sqlite_url
from hotfix.config import Config, load_config
from hotfix.ports import Clock
from hotfix.services.context import Context, ensure_state_dir


def open_context(
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
) -> Context:
    """Find the repository above ``start``, load its settings, build its adapters."""
    root, cfg = find_settings(start, environ, overrides)
    return Context(root=root, cfg=cfg, store=open_store(root, cfg),
                   clock=clock or SystemClock())


def find_settings(
    start: Path, environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> tuple[Path, Config]:
    """The repository above ``start`` and its resolved settings."""
    root = git.repo_root(start)
    return root, load_config(root, environ, overrides)


def open_store(root: Path, cfg: Config) -> SqlStore:
    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return SqlStore(url)
