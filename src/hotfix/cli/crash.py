"""The crash log of exit 3: private to the user, in the repository, with secrets masked.

It goes to ``.hotfix/logs/`` of the repository the command ran in (else the per-user state
folder, ``$XDG_STATE_HOME/hotfix/logs``), the folder 0700 and the file 0600, under a name
nobody can guess in advance; tokens and passwords of the command line and of URLs are
masked before anything is written.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

MASK = "***"
_SECRET_OPTION = re.compile(r"--?[\w-]*(token|password|passwd|secret|api-?key)[\w-]*",
                            re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s/@]+@", re.IGNORECASE)


def mask_url_passwords(text: str) -> str:
    """``postgresql://u:secret@h/db`` → ``postgresql://u:***@h/db``, anywhere in ``text``."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@", text)


def masked_argv(argv: Sequence[str]) -> list[str]:
    """``argv`` with the values of secret options (``--token X``, ``--token=X``) masked."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        name, eq, _ = arg.partition("=")
        if hide_next:
            out.append(MASK)
        elif eq and _SECRET_OPTION.fullmatch(name):
            out.append(f"{name}={MASK}")
        else:
            out.append(mask_url_passwords(arg))
        hide_next = not eq and bool(_SECRET_OPTION.fullmatch(arg)) and not hide_next
    return out


def log_dir(cwd: Path, environ: Mapping[str, str]) -> Path:
    """``.hotfix/logs`` of the repository around ``cwd``, else the per-user state folder."""
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder / ".hotfix" / "logs"
    state = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME", "~"),
                                                      ".local", "state"))
    return Path(state).expanduser() / "hotfix" / "logs"


def write_crash_log(folder: Path, text: str) -> Path:
    """Write ``text`` (secrets in URLs masked) to a new 0600 file in ``folder`` (made 0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"crash-{stamp}-{secrets.token_hex(4)}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(mask_url_passwords(text))
    return path
