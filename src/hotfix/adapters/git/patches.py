"""Commits as patches: their diffs, their patch-ids, and which changes a branch already has.

A patch-id (``git patch-id --stable``) names a change whatever its base, message or
author, so the same fix picked onto two lines has one. It is read in one place,
``patch_ids``, with renames off (``--no-renames``) so that a file list and a patch-id see
the same paths. ``git cherry`` answers the same question branch against branch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd

# a merge: its diff against the first parent, the change `cherry-pick -m 1` applies
_DIFF_TREE = ["diff-tree", "--stdin", "-p", "--no-renames", "--diff-merges=first-parent",
              "--no-color"]


def _stdin(shas: Sequence[str]) -> bytes:
    return "".join(f"{s}\n" for s in shas).encode()


def patch_ids(root: Path, shas: Sequence[str]) -> dict[str, str]:
    """``git patch-id --stable`` of each commit; commits with an empty diff get ``""``."""
    if not shas:
        return {}
    raw = cmd.pipe(_DIFF_TREE, ["patch-id", "--stable"], root, input=_stdin(shas))
    found = dict.fromkeys(shas, "")
    for line in raw.decode("ascii", "replace").splitlines():
        pid, _, sha = line.partition(" ")
        if sha in found:
            found[sha] = pid
    return found


def diffs(root: Path, shas: Sequence[str]) -> dict[str, str]:
    """The patch of each commit in ``shas`` (for a few commits: it is all in memory)."""
    if not shas:
        return {}
    wanted = set(shas)
    raw = cmd.pipe(_DIFF_TREE, None, root, input=_stdin(shas))
    parts: dict[str, list[str]] = {sha: [] for sha in shas}  # joined once: a long patch
    current: list[str] | None = None  # appended to line by line is not copied each time
    for line in raw.decode("utf-8", "replace").splitlines(keepends=True):
        head = line.strip()
        if head in wanted:
            current = parts[head]
        elif current is not None:
            current.append(line)
    return {sha: "".join(lines) for sha, lines in parts.items()}


def cherry(root: Path, upstream: str, head: str, limit: str | None = None) -> dict[str, bool]:
    """``git cherry``: each commit of ``limit..head`` (default ``upstream..head``) → whether
    ``upstream`` already has an equivalent change."""
    text = cmd.out(["cherry", "--end-of-options", upstream, head,
                    *([limit] if limit else [])], root)
    return {line[2:].strip(): line.startswith("-") for line in text.splitlines()}


def already_on(root: Path, upstream: str, head: str, limit: str) -> set[str]:
    """The commits of ``limit..head`` whose change ``upstream`` already has."""
    return {sha for sha, present in cherry(root, upstream, head, limit).items() if present}


def all_landed(root: Path, upstream: str, head: str) -> bool:
    """Every commit of ``head`` not in ``upstream`` has an equivalent there: fast-forwarded,
    merged, rebased, or squashed into one commit with the same patch."""
    return all(cherry(root, upstream, head).values())
