"""What a running server holds: its settings, the built parts, the rate limiters.

``hotfix.wiring.open_server`` builds the parts (the record's store, the identities, the
clock); routes reach them through ``server_state(request)``."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from fastapi import Request

from hotfix.ports.published import Publications
from hotfix.services.record.idempotent import IdempotentLog
from hotfix.services.record.records import LocalRecords
from hotfix.services.server import ServerParts, ServerSettings, project_records


class RateLimiter:
    """At most ``limit`` hits per key in any 60-second window (per process)."""

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def hit(self, key: str, limit: int) -> int | None:
        """Count a hit; the seconds to wait when over ``limit`` (nothing counted), else None."""
        now = time.monotonic()
        with self.lock:
            seen = self.hits.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= limit:
                return max(1, int(seen[0] + self.window - now) + 1)
            seen.append(now)
            return None

    def over(self, key: str, limit: int) -> int | None:
        """The seconds to wait if ``key`` is already at ``limit``, without counting."""
        now = time.monotonic()
        with self.lock:
            seen = [t for t in self.hits.get(key, ()) if t > now - self.window]
        return max(1, int(seen[0] + self.window - now) + 1) if len(seen) >= limit else None


@dataclass
class ServerState:
    settings: ServerSettings
    parts: ServerParts
    tokens: RateLimiter = field(default_factory=RateLimiter)
    failures: RateLimiter = field(default_factory=RateLimiter)

    def records(self, project: str, request_key: str | None = None) -> LocalRecords:
        """The project's record, decided with the server's settings and the database's
        approvers (never an environment variable, never the client's hotfix.toml)."""
        log = self.parts.logs.get(project)
        if request_key and log is not None:
            log = IdempotentLog(log, request_key)
        return project_records(self.settings, self.parts, project, log)


def publications(state: ServerState, project: str) -> Publications:
    """What CI published to ``project`` (``hotfix audit|metrics --publish``); 404 for a
    project this server does not serve."""
    state.records(project)
    return state.parts.published[project]


def server_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.hotfix
    return state
