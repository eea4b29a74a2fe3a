"""What this machine last saw of a team server's signed running head:
``$XDG_CONFIG_HOME/hotfix/witness.json`` (or ``~/.config``), mode 0600.

The server's running head counts every record it created; an old signed running head put
back in its database, with the newest records deleted, would verify on the server. A client
that saw a larger count, or another key, says so: a witness the server's database cannot
rewrite (docs/security.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path


def seen_path(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "hotfix" / "witness.json"


class SeenHeads:
    def __init__(self, path: Path) -> None:
        self.path = path

    def check(self, server: str, project: str, count: int, key_id: str | None) -> list[str]:
        """What contradicts the last running head seen from ``server``'s ``project``; then
        remember the newest one."""
        where = f"{server.rstrip('/')} {project}"
        known = self._read()
        last = known.get(where)
        found = []
        if isinstance(last, dict):
            before, was_key = int(last.get("count", 0)), str(last.get("key_id", ""))
            if key_id and was_key and key_id != was_key:
                found.append(f"the server's signing key changed from {was_key} to {key_id} "
                             "since this machine last read it: every signature is now its word")
            elif count < before:
                found.append(f"the server now signs {count} record(s), but this machine saw it "
                             f"sign {before}: records were deleted and an older running head "
                             "put back")
        if not found and key_id:
            known[where] = {"count": max(count, int(last.get("count", 0)) if isinstance(
                last, dict) else count), "key_id": key_id}
            self._write(known)
        return found

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, object]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only home: the server's own checks still run
