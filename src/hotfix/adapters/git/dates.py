"""When commits were committed: the times in a range (the delivery metrics' lead times)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from hotfix.adapters.git import cmd


def commit_times(root: Path, include: str, exclude: Iterable[str] = ()) -> list[datetime]:
    """The committer times of the commits in ``include`` but in none of ``exclude``."""
    args = ["rev-list", "--format=%ct", "--no-commit-header", include,
            *(f"^{e}" for e in exclude), "--"]
    proc = cmd.run(args, root, check=False)
    if proc.returncode != 0:  # git < 2.33 has no --no-commit-header
        proc = cmd.run(["log", "--format=%ct", include, *(f"^{e}" for e in exclude), "--"],
                       root)
    return [datetime.fromtimestamp(int(line), UTC) for line in proc.stdout.split()
            if line.isdigit()]
