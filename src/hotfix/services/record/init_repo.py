"""Setting a repository up for hotfix: its hotfix.toml and its record store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotfix.adapters.git.exclude import exclude_file, is_tracked
from hotfix.adapters.git.repository import repo_root
from hotfix.config import CONFIG_FILE, commented_template
from hotfix.errors import UsageError
from hotfix.services.context import Context


def init_repo(start: Path, open_context: Callable[[Path], Context], *,
              force: bool = False, exclude: bool = False) -> dict[str, Any]:
    """Write a commented hotfix.toml (unless one exists, or ``force``), then open the
    repository's context with ``open_context(root)``, which creates its record store.

    hotfix.toml is the team's settings, so it belongs in the repository: the result says
    to commit it (``next``) unless it is tracked already; ``exclude`` keeps it out of git in
    this clone instead. Either way it never blocks ``backport --merge``."""
    root = repo_root(start)
    path = root / CONFIG_FILE
    if path.exists() and not force:
        wrote = False
    else:
        path.write_text(commented_template(), encoding="utf-8")
        wrote = True
    try:
        ctx = open_context(root)
    except UsageError:
        if wrote:
            raise
        raise UsageError(f"{path} exists and is not valid",
                         hint="fix it, or start over with: hotfix init --force") from None
    excluded = exclude_file(root, CONFIG_FILE) if exclude else False
    tracked = is_tracked(root, CONFIG_FILE)
    commit = None if tracked or exclude else (
        f"git -C {root} add {CONFIG_FILE} && git -C {root} commit -m \"Configure hotfix\"")
    try:
        return {"config": str(path), "wrote_config": wrote, "database": ctx.records.location,
                "tracked": tracked, "excluded": excluded or exclude, "commit": commit}
    finally:
        ctx.close()
