"""The composition root: the one place that turns settings into adapters.

Every service receives what it uses on its ``Context``; nothing outside this module (and
tests, which pass fakes in) constructs an adapter."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.exclude import ensure_state_dir
from hotfix.adapters.git.repo import Git
from hotfix.adapters.git.repository import repo_root
from hotfix.adapters.store.sql import SqlStore, sqlite_url
from hotfix.config import Config, load_config
from hotfix.ports import Clock, GitRepo
from hotfix.services.context import Context


def open_context(
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
) -> Context:
    """Find the repository above ``start``, load its settings, build its adapters."""
    git = open_git(start)
    root = git.root
    cfg = load_config(root, environ, overrides)
    return Context(root=root, cfg=cfg, store=open_store(root, cfg),
                   clock=clock or SystemClock(), git=git)


def open_git(start: Path) -> GitRepo:
    """The repository around ``start``, bound to the top of its work tree."""
    return Git(repo_root(start))


def open_store(root: Path, cfg: Config) -> SqlStore:
    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return SqlStore(url)
