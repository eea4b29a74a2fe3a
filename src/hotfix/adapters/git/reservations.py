"""Version reservations: create-only refs ``refs/hotfix/reserved/<version>``.

Each ref points at a blob holding the id of the record that reserved the version. It is
created with ``git update-ref <ref> <blob> ""``: the empty old value means "must not
exist", so git itself refuses the second of two processes, atomically (the ref store's
lock), and that process moves on to the next version.
"""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd

PREFIX = "refs/hotfix/reserved/"


def reserve(root: Path, version: str, key: str) -> bool:
    """Reserve ``version`` for ``key``; False when a reservation was already there."""
    blob = _blob(root, key)
    proc = cmd.run(["update-ref", "-m", f"hotfix: reserve {version} for {key}",
                    PREFIX + version, blob, ""], root, check=False)
    return proc.returncode == 0


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
