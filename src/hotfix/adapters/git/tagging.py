"""Annotated release tags, signed when the user's git config says ``tag.gpgSign``."""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd, refs
from hotfix.adapters.git.repository import config_value
from hotfix.errors import GitError, PolicyViolation


def sign_wanted(root: Path) -> bool:
    value = config_value("tag.gpgSign", root)
    return (value or "").lower() in ("true", "yes", "on", "1")


def create(root: Path, tag: str, commit: str, message: str, *, sign: bool | None = None) -> bool:
    """Create the annotated tag; False when it already names ``commit`` (a resumed step).

    ``git tag`` never overwrites (no ``-f``): an existing tag makes it fail, and then we
    look at what the tag names."""
    flag = "-s" if (sign_wanted(root) if sign is None else sign) else "-a"
    proc = cmd.run(["tag", flag, tag, "-F", "-", commit], root, check=False, input=message)
    if proc.returncode != 0:
        existing = refs.tag_commit(root, tag)
        if existing == commit:
            return False
        if existing is not None:
            raise PolicyViolation(
                f"tag {tag} already exists (on {existing[:12]}); hotfix never moves or reuses "
                "a tag", hint="start a new hotfix for the next patch version, or inspect it: "
                f"git show {tag}")
        raise GitError(f"git could not create tag {tag}: {proc.stderr.strip()}",
                       hint="if signing failed, check `git config user.signingkey` and your "
                            "gpg/ssh agent, then run: hotfix resume (the release is not lost)")
    return True


def is_signed(root: Path, tag: str) -> bool:
    body = cmd.out(["cat-file", "tag", tag], root)
    return "-----BEGIN " in body
