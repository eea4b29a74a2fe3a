"""When a live page re-reads its record: on PostgreSQL when any replica's append says so
(LISTEN/NOTIFY, ``ServerParts.changes``), at least every ``FALLBACK_SECONDS`` all the same;
on SQLite (or while the listener reconnects) every ``POLL_SECONDS``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import Request

from hotfix.server.state import server_state

POLL_SECONDS = 0.5  # no notifications: read the record this often
TICK_SECONDS = 0.1  # with notifications: look at the in-memory count this often
FALLBACK_SECONDS = 15.0  # with notifications: read anyway this often


async def changes(request: Request, project: str, number: int) -> AsyncIterator[None]:
    """Yield at once, then each time record ``number`` may have changed, until the client
    goes away."""
    feed = server_state(request).parts.changes
    last: int | None = None
    read_at = 0.0
    while not await request.is_disconnected():
        version = feed.version(project, number) if feed is not None else None
        now = time.monotonic()
        if version is None or version != last or now - read_at >= FALLBACK_SECONDS:
            last, read_at = version, now
            yield
        await asyncio.sleep(POLL_SECONDS if version is None else TICK_SECONDS)
