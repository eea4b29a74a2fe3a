"""What the monitoring sources share: time windows turned into the judge's intervals.

A monitoring system answers "what happened between t0 and t1", per version. Each poll
covers the time from the end of the previous window to ``now − lag`` (the lag leaves the
system time to ingest), cut into windows of at most ``step`` seconds aligned to multiples
of ``step`` (so a rollup bucket never straddles two windows). A window becomes one
``Interval``; the windows tile time, so no request is counted twice or missed. The cursor is
the end of the last window: a source built with it (after a restart) replays since then.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from hotfix.domain.judge.intervals import Interval
from hotfix.ports import Observations

Read = Callable[[float, float], Interval]  # (start, end) → what each version did


class Windows:
    """A ``MetricsSource`` over a reader of windows (``ports.MetricsSource``)."""

    def __init__(self, read: Read, *, step: float, lag: float,
                 cursor: Mapping[str, Any] | None = None,
                 clock: Callable[[], float] = time.time,
                 close: Callable[[], None] = lambda: None) -> None:
        if step <= 0:
            raise ValueError("the window step must be > 0 seconds")
        self.read, self.step, self.lag, self.clock = read, step, lag, clock
        self.close = close  # the monitoring API's connections, once the rollout is over
        self.last = float(cursor["t"]) if cursor and "t" in cursor else self._now()

    def cursor(self) -> dict[str, Any]:
        return {"t": self.last}

    def poll(self) -> Observations:
        intervals = []
        for start, end in self.windows(self._now()):
            intervals.append(self.read(start, end))
            self.last = end
        return Observations(intervals=tuple(intervals))

    def windows(self, now: float) -> list[tuple[float, float]]:
        """[start, end) pairs from the last end up to ``now``, cut at multiples of ``step``."""
        out: list[tuple[float, float]] = []
        start = self.last
        while True:
            end = (math.floor(start / self.step) + 1) * self.step
            if end > now:
                return out
            out.append((start, end))
            start = end

    def _now(self) -> float:
        return self.clock() - self.lag
