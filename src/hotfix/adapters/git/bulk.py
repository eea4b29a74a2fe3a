"""Bulk reads of commit history for the audit: one git process per question.

- ``rev_graph``: the commits of several heads at once, with their parents (one walk, no
  diffs: cheap even for 50,000 commits);
- ``read_commits``: message and touched files of many commits in ONE ``git log --stdin``.

Their patch-ids and diffs, read the same way, are in ``hotfix.adapters.git.patches``.
Renames are off (``--no-renames``) so a file list and a patch-id see the same paths.
A merge commit's files are those of its diff against its first parent (what ``git
cherry-pick -m 1`` applies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.ports import RawCommit

_FORMAT = "--format=%x1e%H%x1f%B%x1f"


def rev_graph(root: Path, include: Sequence[str], exclude: Iterable[str] = ()
              ) -> dict[str, tuple[str, ...]]:
    """Commits of ``include`` not in ``exclude`` → their parents, parents before children
    (``--topo-order --reverse``; one walk)."""
    args = ["rev-list", "--parents", "--topo-order", "--reverse", "--end-of-options", *include,
            *(f"^{rev}" for rev in exclude), "--"]
    graph: dict[str, tuple[str, ...]] = {}
    for row in cmd.out(args, root).splitlines():
        sha, *parents = row.split()
        graph[sha] = tuple(parents)
    return graph


def read_commits(root: Path, shas: Sequence[str]) -> dict[str, RawCommit]:
    """Message and touched files of each commit in ``shas``, from one ``git log``."""
    if not shas:
        return {}
    raw = cmd.pipe(["log", "--no-walk=unsorted", "--stdin", "-z", "--no-renames",
                    "--name-only", "--diff-merges=first-parent", "--no-color", _FORMAT], None, root,
                   input="".join(f"{s}\n" for s in shas).encode())
    return parse_log(raw.decode("utf-8", "replace"))


def parse_log(text: str) -> dict[str, RawCommit]:
    """Parse ``git log -z --name-only --format=%x1e%H%x1f%B%x1f`` output."""
    out: dict[str, RawCommit] = {}
    for chunk in text.split("\x1e")[1:]:
        sha, message, rest = chunk.split("\x1f", 2)
        names = rest.split("\0")[1:]
        if names:
            names[0] = names[0].lstrip("\n")
        out[sha] = (message, tuple(n for n in names if n))
    return out
