"""Routers: how traffic is split between versions (builtin asyncio proxy, nginx)."""

from __future__ import annotations

import os
from pathlib import Path

from hotfix.errors import HotfixError


class RouterError(HotfixError):
    """The router refused a change or is not running; the previous split stays live."""


def python_env() -> dict[str, str]:
    """The environment for a ``python -m hotfix…`` child: this hotfix on its path."""
    src = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env
