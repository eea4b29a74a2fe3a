"""The token ``hotfix login`` keeps: ``$XDG_CONFIG_HOME/hotfix/credentials.json`` (or
``~/.config``), mode 0600, one server at a time."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hotfix.errors import ConfigError


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str
    email: str = ""


def credentials_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "hotfix" / "credentials.json"


def load(environ: Mapping[str, str]) -> Credentials | None:
    path = credentials_path(environ)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(str(data["url"]), str(data["token"]), str(data.get("email", "")))
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"{path} is not a hotfix credentials file",
                          hint=f"sign in again: hotfix login URL (or remove {path})") from None


def save(environ: Mapping[str, str], creds: Credentials) -> Path:
    """Write the file readable by its owner only (created 0600, never wider)."""
    path = credentials_path(environ)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": creds.url, "token": creds.token, "email": creds.email}, f)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def forget(environ: Mapping[str, str]) -> bool:
    path = credentials_path(environ)
    if path.is_file():
        path.unlink()
        return True
    return False
