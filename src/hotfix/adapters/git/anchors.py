"""Anchors: each record's checkpointed chain head, as a commit under ``refs/hotfix/anchor/``.

``refs/hotfix/anchor/HF-1`` names a commit whose tree holds one file, ``head``, the
checkpoint's text (see ``hotfix.domain.record.anchor``). A new checkpoint is a new commit
whose parent is the previous one, moved with a compare-and-swap ``update-ref`` (so two
writers cannot lose one another's), and pushed without force: a remote that refuses
non-fast-forward updates then keeps every checkpoint it has ever seen, whatever happens to
the database or to the local refs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.blobs import read_objects
from hotfix.adapters.git.revs import commit_of
from hotfix.errors import GitError

PREFIX = "refs/hotfix/anchor/"
_FILE = "head"
# checkpoints are hotfix's own commits: they need no user identity configured
_IDENTITY = {"GIT_AUTHOR_NAME": "hotfix", "GIT_AUTHOR_EMAIL": "hotfix@localhost",
             "GIT_COMMITTER_NAME": "hotfix", "GIT_COMMITTER_EMAIL": "hotfix@localhost"}


def read(root: Path, key: str) -> str | None:
    """The text of ``key``'s newest checkpoint, None when it has none."""
    proc = cmd.run(["cat-file", "blob", f"{PREFIX}{key}:{_FILE}"], root, check=False)
    return proc.stdout if proc.returncode == 0 else None


def read_all(root: Path) -> dict[str, str]:
    """Every record's newest checkpoint text, by record id: one ``for-each-ref`` and one
    ``cat-file --batch``, however many records there are."""
    keys = [ref.removeprefix(PREFIX) for ref in cmd.out(
        ["for-each-ref", PREFIX, "--format=%(refname)"], root).splitlines()]
    texts = read_objects(root, [f"{PREFIX}{key}:{_FILE}" for key in keys])
    return {key: text for key, text in zip(keys, texts, strict=True) if text is not None}


def write(root: Path, key: str, text: str, message: str) -> bool:
    """Make ``text`` ``key``'s newest checkpoint; False when it already was."""
    ref = PREFIX + key
    old = commit_of(root, ref)
    if old is not None and read(root, key) == text:
        return False
    blob = cmd.run(["hash-object", "-w", "--stdin"], root, input=text).stdout.strip()
    tree = cmd.run(["mktree"], root, input=f"100644 blob {blob}\t{_FILE}\n").stdout.strip()
    parent = ["-p", old] if old else []
    commit = cmd.run(["commit-tree", tree, *parent, "-m", message], root,
                     env=_IDENTITY).stdout.strip()
    proc = cmd.run(["update-ref", "-m", message, ref, commit, old or ""], root, check=False)
    if proc.returncode != 0:
        raise GitError(f"the anchor {ref} moved while hotfix wrote it: {proc.stderr.strip()}",
                       hint="run the command again")
    return True


def refspecs(root: Path, keys: Sequence[str] | None = None) -> list[str]:
    """Push refspecs of the anchors of ``keys`` (every anchor when None)."""
    names = cmd.out(["for-each-ref", PREFIX, "--format=%(refname)"], root).splitlines()
    wanted = None if keys is None else {PREFIX + k for k in keys}
    return [f"{ref}:{ref}" for ref in names if wanted is None or ref in wanted]
