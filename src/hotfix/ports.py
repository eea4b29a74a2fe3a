"""Protocols for the outside systems hotfix drives, and the plain values they exchange.

Time: a ``Clock`` tells the time and waits; services never call ``time`` or ``datetime``
themselves, so tests run them on a manual clock (``hotfix.adapters.clock.ManualClock``).

Rollout: a ``DeployTarget`` runs versions of the app, a ``Router`` splits traffic between
them by weight, a ``MetricsSource`` reports what each request did. Each has a typed registry
of backends in ``hotfix.adapters.rollout.registry`` and a fake beside the real ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # numpy loads with the rollout, not with every command
    import numpy as np
    import numpy.typing as npt


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


@dataclass(frozen=True)
class Instance:
    """One running copy of a version of the app."""

    version: str
    address: str = ""  # host:port serving HTTP ("" when the target does not say)
    pid: int = 0  # process (and process group) id for local targets
    start_ticks: int = 0  # the process's start time, so a reused pid is never killed
    log: str = ""  # where its output goes

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "address": self.address, "pid": self.pid,
                "start_ticks": self.start_ticks, "log": self.log}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Instance:
        return cls(str(d["version"]), str(d.get("address", "")), int(d.get("pid", 0)),
                   int(d.get("start_ticks", 0)), str(d.get("log", "")))


@dataclass(frozen=True)
class Split:
    """Which addresses serve each version, and each version's share of requests (percent)."""

    backends: Mapping[str, tuple[str, ...]]
    weights: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"backends": {v: list(a) for v, a in self.backends.items()},
                "weights": dict(self.weights)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Split:
        return cls({str(v): tuple(str(x) for x in a) for v, a in d["backends"].items()},
                   {str(v): float(w) for v, w in d["weights"].items()})

    def weight(self, version: str) -> float:
        return float(self.weights.get(version, 0.0))


def _no_floats() -> npt.NDArray[np.float64]:
    import numpy as np

    return np.zeros(0)


def _no_flags() -> npt.NDArray[np.bool_]:
    import numpy as np

    return np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class Observations:
    """Requests seen since the last poll, in time order, one row each."""

    t: npt.NDArray[np.float64] = field(default_factory=_no_floats)
    canary: npt.NDArray[np.bool_] = field(default_factory=_no_flags)
    ok: npt.NDArray[np.bool_] = field(default_factory=_no_flags)
    latency_ms: npt.NDArray[np.float64] = field(default_factory=_no_floats)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def canary_count(self) -> int:
        return int(self.canary.sum())

    @property
    def baseline_count(self) -> int:
        return len(self) - self.canary_count


class DeployTarget(Protocol):
    """Where versions run."""

    name: str

    def start(self, version: str, count: int) -> list[Instance]:
        """Start ``count`` healthy instances of ``version`` (tag); raise if any is unhealthy."""
        ...

    def stop(self, instances: Sequence[Instance]) -> None:
        """Stop the instances and everything they started; no orphans."""
        ...

    def alive(self, instance: Instance) -> bool: ...


class Router(Protocol):
    """How traffic is split between versions."""

    name: str

    def ensure(self) -> None:
        """Start the router if it is not running."""
        ...

    def apply(self, split: Split) -> None:
        """Make ``split`` live at once; on failure the previous split stays live."""
        ...

    def current(self) -> Split | None:
        """The live split, or None when the router is not running."""
        ...

    def drain(self, version: str, timeout: float) -> bool:
        """Wait until no request to ``version`` is in flight; False on timeout."""
        ...

    def stop(self) -> None: ...

    @property
    def url(self) -> str:
        """Where clients send requests, e.g. http://127.0.0.1:8080."""
        ...


class MetricsSource(Protocol):
    """What each request did, per version."""

    def poll(self) -> Observations:
        """Requests since the last poll (or since ``cursor`` given at construction)."""
        ...

    def cursor(self) -> dict[str, Any]:
        """A JSON-safe mark: a new source built with it replays everything after it."""
        ...
