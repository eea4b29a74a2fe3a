"""Version reservations: create-only refs ``refs/hotfix/reserved/<version>``.

Each ref points at a blob holding the id of the record that reserved the version. It is
created with ``git update-ref <ref> <blob> ""``: the empty old value means "must not
exist", so git itself refuses the second of two processes, atomically (the ref store's
lock), and that process moves on to the next version. With a remote, the reservation is
then pushed create-only (``--force-with-lease=<ref>:``, the empty value again meaning "must
not exist there"): of two clones, the one the remote refuses drops its local ref and moves
on too.
"""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.adapters.git.refs import RESERVED as PREFIX
from hotfix.errors import GitError


def reserve(root: Path, version: str, key: str, remote: str | None = None) -> bool:
    """Reserve ``version`` for ``key`` here (and on ``remote``); False when a reservation
    was already there."""
    blob, ref = _blob(root, key), PREFIX + version
    proc = cmd.run(["update-ref", "-m", f"hotfix: reserve {version} for {key}", ref, blob, ""],
                   root, check=False)
    if proc.returncode != 0:
        return False
    if remote is None or _published(root, remote, ref, blob):
        return True
    cmd.run(["update-ref", "-d", ref, blob], root, check=False)  # the remote's is another's
    return False


def _published(root: Path, remote: str, ref: str, blob: str) -> bool:
    """Push ``ref`` to ``remote`` only if it is not there; False when it was."""
    proc = cmd.run(["push", "--porcelain", f"--force-with-lease={ref}:", remote,
                    f"{blob}:{ref}"], root, check=False)
    if proc.returncode == 0:
        return True
    if "[rejected]" in proc.stdout:
        return False
    cmd.run(["update-ref", "-d", ref, blob], root, check=False)
    raise GitError(
        f"could not publish the reservation {ref} on remote {remote!r}: "
        f"{proc.stderr.strip() or proc.stdout.strip()}",
        hint="check the network and your push rights (`git remote -v`), or reserve locally "
             "only with HOTFIX settings lines.check_remote_tags = false")


def owner(root: Path, version: str) -> str | None:
    """The record that reserved ``version``, None when nobody did."""
    proc = cmd.run(["cat-file", "blob", PREFIX + version], root, check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def reserved(root: Path) -> list[str]:
    """Every reserved version."""
    text = cmd.out(["for-each-ref", PREFIX, "--format=%(refname)"], root)
    return [line.removeprefix(PREFIX) for line in text.splitlines()]


def _blob(root: Path, key: str) -> str:
    return cmd.run(["hash-object", "-w", "--stdin"], root, input=key + "\n").stdout.strip()
