"""Time: a ``Clock`` tells the time and waits; services never call ``time`` or ``datetime``
themselves, so tests run them on a manual clock (``hotfix.adapters.clock.ManualClock``)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Wall time, a monotonic timer, and waiting."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()``."""
        ...

    def monotonic(self) -> float:
        """A timer that never goes back, for durations and deadlines."""
        ...

    def sleep(self, seconds: float) -> None: ...
