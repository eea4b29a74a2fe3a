"""When things happened in git: each tag's date, and the commit times in a range."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from hotfix.adapters.git import cmd


def tag_dates(root: Path) -> dict[str, datetime]:
    """Every tag → when it was made (an annotated tag's tagger date, else its commit's)."""
    text = cmd.out(["for-each-ref", "refs/tags", "--format=%(refname:strip=2)%00"
                    "%(creatordate:unix)"], root)
    found = {}
    for row in text.splitlines():
        name, _, stamp = row.partition("\0")
        if stamp.strip().lstrip("-").isdigit():
            found[name] = datetime.fromtimestamp(int(stamp), UTC)
    return found


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
