"""The builtin router's request log: one JSON line per request, flushed every 100 ms.

    {"t": 1712345678.123456, "version": "v1.1.1", "status": 200, "ms": 3.21}

``t`` is when the request arrived (epoch seconds); ``ms`` is the time to the last byte of
the response. ``hotfix.adapters.metrics.router_log`` reads it back.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TextIO


class RequestLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8", buffering=1 << 16)

    def add(self, t: float, version: str, status: int, ms: float) -> None:
        self._file.write(json.dumps({"t": round(t, 6), "version": version, "status": status,
                                     "ms": round(ms, 3)}) + "\n")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    async def flush_forever(self, every: float = 0.1) -> None:
        while True:
            await asyncio.sleep(every)
            self.flush()
