"""Bulk reads of commit history for the audit: one git process per question.

- ``rev_list``: the SHAs of a range (no diffs: cheap even for 50,000 commits);
- ``read_commits``: message and touched files of many commits in ONE ``git log --stdin``;
- ``patch_ids``: ``git diff-tree --stdin -p | git patch-id --stable`` for many commits at once;
- ``diffs``: the patches of a few commits (to check version-only changes).

Renames are off everywhere (``--no-renames``) so a file list and a patch-id see the same
paths. Merge commits are skipped: their changes arrive through their parents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.errors import GitError, NotFound

_FORMAT = "--format=%x1e%H%x1f%B%x1f"
RawCommit = tuple[str, tuple[str, ...]]  # (message, files)


def resolve(root: Path, rev: str) -> str:
    """The full SHA of the commit ``rev`` names; ``NotFound`` with a hint otherwise."""
    proc = cmd.run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                   root, check=False)
    if proc.returncode != 0:
        raise NotFound(f"{rev!r} is not a commit in {root}",
                       hint="check the name with `git log --oneline -1 REV`; fetch it with "
                            "`git fetch --tags` if it lives on the remote")
    return proc.stdout.strip()


def merge_base(root: Path, *revs: str) -> str | None:
    """The best common ancestor of ``revs`` (octopus for more than two), None if unrelated."""
    args = ["merge-base", *(["--octopus"] if len(revs) > 2 else []), *revs]
    proc = cmd.run(args, root, check=False)
    if proc.returncode == 1 and not proc.stdout.strip():
        return None
    if proc.returncode != 0:
        raise GitError(f"`git {' '.join(args)}` failed: {proc.stderr.strip()}")
    return proc.stdout.split()[0]


def rev_list(root: Path, include: str, exclude: Iterable[str] = ()) -> list[str]:
    """Non-merge commits reachable from ``include`` but not ``exclude``, oldest first."""
    args = ["rev-list", "--no-merges", "--reverse", include,
            *(f"^{rev}" for rev in exclude), "--"]
    return cmd.out(args, root).split()


def read_commits(root: Path, shas: Sequence[str]) -> dict[str, RawCommit]:
    """Message and touched files of each commit in ``shas``, from one ``git log``."""
    if not shas:
        return {}
    raw = cmd.pipe(["log", "--no-walk=unsorted", "--stdin", "-z", "--no-renames",
                    "--name-only", "--no-color", _FORMAT], None, root,
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


def patch_ids(root: Path, shas: Sequence[str]) -> dict[str, str]:
    """``git patch-id --stable`` of each commit; commits with an empty diff get ``""``."""
    if not shas:
        return {}
    raw = cmd.pipe(["diff-tree", "--stdin", "-p", "--no-renames", "--no-color"],
                   ["patch-id", "--stable"], root,
                   input="".join(f"{s}\n" for s in shas).encode())
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
    raw = cmd.pipe(["diff-tree", "--stdin", "-p", "--no-renames", "--no-color"], None, root,
                   input="".join(f"{s}\n" for s in shas).encode())
    out = dict.fromkeys(shas, "")
    current: str | None = None
    for line in raw.decode("utf-8", "replace").splitlines(keepends=True):
        head = line.strip()
        if head in wanted:
            current = head
        elif current is not None:
            out[current] += line
    return out


def tags_containing(root: Path, sha: str) -> list[str]:
    """Names of the tags whose history contains ``sha``."""
    text = cmd.out(["for-each-ref", "--contains", sha, "--format=%(refname:strip=2)",
                    "refs/tags"], root)
    return text.split()
