"""Setting a repository up for hotfix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hotfix.config import CONFIG_FILE, commented_template
from hotfix.errors import UsageError
from hotfix.wiring import open_context, open_git


def init_repo(start: Path, *, force: bool = False) -> dict[str, Any]:
    root = open_git(start).root
    path = root / CONFIG_FILE
    if path.exists() and not force:
        wrote = False
    else:
        path.write_text(commented_template(), encoding="utf-8")
        wrote = True
    try:
        ctx = open_context(root, dict(os.environ))
    except UsageError:
        if wrote:
            raise
        raise UsageError(f"{path} exists and is not valid",
                         hint="fix it, or start over with: hotfix init --force") from None
    try:
        return {"config": str(path), "wrote_config": wrote, "database": ctx.records.location}
    finally:
        ctx.close()
