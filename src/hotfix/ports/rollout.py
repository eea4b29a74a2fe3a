"""Rollout: a ``DeployTarget`` runs versions of the app, a ``Router`` splits traffic between
them by weight, a ``MetricsSource`` reports what each request did, ``RolloutStates`` keeps
the rollout's state across controllers and ``Controllers`` tells whether the controller
that wrote it still runs. ``hotfix.wiring`` builds them from the settings (typed
registries ``TARGETS``, ``ROUTERS``, ``METRICS``) and hands them to services as one
``RolloutAdapters`` on the context; a fake beside each real backend passes the same
contract tests (``adapters/deploy/fake.py``, ``adapters/routers/fake.py``,
``adapters/metrics/fake.py``). The canary judge is seen through ``JudgeLike``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from hotfix.domain.rollout.history import Deployment, Rollback
from hotfix.domain.rollout.state import ControllerId, DeployState, Fleet
from hotfix.domain.rollout.state import Instance as Instance  # noqa: PLC0414  (a port value)

if TYPE_CHECKING:  # numpy is imported by the commands that judge, not by every command
    import numpy as np
    import numpy.typing as npt

    from hotfix.domain.judge.intervals import Interval



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


def _floats() -> npt.NDArray[np.float64]:
    import numpy as np

    return np.zeros(0)


def _bools() -> npt.NDArray[np.bool_]:
    import numpy as np

    return np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class UserCounts:
    """Users (targeting keys) newly counted since the last poll, each once: first served,
    first failed and first slow, on the canary's and the baseline's variant; requests
    counted with no variant label; and whether the app exported its slow users' counter at
    all (``slow_counted``: else there is no latency data; a flag rollout's metrics,
    docs/flags.md)."""

    seen_canary: int = 0
    seen_baseline: int = 0
    failed_canary: int = 0
    failed_baseline: int = 0
    unlabelled: int = 0
    slow_canary: int = 0
    slow_baseline: int = 0
    slow_counted: bool = False


@dataclass(frozen=True)
class Observations:
    """Requests in time order, one row each (since the last poll, or a whole recorded log);
    or, from a monitoring system, ``intervals`` of counts and histograms per version
    (``hotfix.domain.judge.intervals``), which the judge takes as they are; a flag
    rollout's source adds the users it counted (``users``)."""

    t: npt.NDArray[np.float64] = field(default_factory=_floats)
    canary: npt.NDArray[np.bool_] = field(default_factory=_bools)
    ok: npt.NDArray[np.bool_] = field(default_factory=_bools)
    latency_ms: npt.NDArray[np.float64] = field(default_factory=_floats)
    intervals: tuple[Interval, ...] = ()
    users: UserCounts | None = None

    def __len__(self) -> int:
        return int(self.t.shape[0]) + sum(iv.total for iv in self.intervals)

    @property
    def canary_count(self) -> int:
        return int(self.canary.sum()) + sum(iv.requests[0] for iv in self.intervals)

    @property
    def baseline_count(self) -> int:
        return len(self) - self.canary_count

    def errors(self, canary: bool) -> int:
        """Requests that failed, of the canary (True) or the baseline."""
        rows = int((~self.ok & (self.canary if canary else ~self.canary)).sum())
        return rows + sum(iv.errors[0 if canary else 1] for iv in self.intervals)


@dataclass(frozen=True)
class RequestLogFile:
    """A file in which a router logs every request it serves, and how to read it.

    ``format`` names the reader (``builtin``: one JSON object per request; ``nginx``: the
    JSON access log, one object per request with every upstream attempt). ``addresses``
    maps backend addresses to versions when the log names addresses only."""

    path: Path
    format: str
    addresses: Path | None = None


class DeployTarget(Protocol):
    """Where versions run."""

    name: str

    def start(self, version: str, count: int) -> list[Instance]:
        """Start ``count`` healthy instances of ``version`` (tag); raise if any is unhealthy."""
        ...

    def stop(self, instances: Sequence[Instance]) -> None:
        """Stop the instances and everything they started; no orphans."""
        ...

    def alive(self, instance: Instance) -> bool:
        """Whether ``instance`` still runs (also one read back from ``Instance.to_dict``)."""
        ...


class Router(Protocol):
    """How traffic is split between versions."""

    name: str

    def ensure(self) -> None:
        """Start the router if it is not running (with the split it last had)."""
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

    def request_log(self) -> RequestLogFile | None:
        """Where the router logs every request it serves; None when it observes none."""
        ...

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


Addresses = Callable[[], Mapping[str, Sequence[str]]]  # version → its instances' addresses


class MetricsFactory(Protocol):
    """Opens a metrics source on one rollout's two versions."""

    def __call__(self, *, canary: str, baseline: str, instances: Addresses,
                 cursor: Mapping[str, Any] | None) -> MetricsSource:
        """``cursor`` (taken when the rollout began) replays since then; None: from now."""
        ...


class RolloutStates(Protocol):
    """The state of production and of each rollout, kept so a killed controller resumes."""

    def load_env(self) -> Fleet | None:
        """What production runs (the live version and its instances), if anything."""
        ...

    def save_env(self, live: Fleet | None) -> None: ...

    def load(self, key: str) -> DeployState | None: ...

    def save(self, state: DeployState) -> None: ...

    def rollout_keys(self) -> list[str]:
        """Every hotfix with a saved rollout, sorted."""
        ...

    def load_rollback(self, key: str) -> Rollback | None:
        """A roll-back-first's state (where production was, where it goes, the phase)."""
        ...

    def save_rollback(self, rollback: Rollback) -> None: ...

    def rollback_keys(self) -> list[str]:
        """Every record with a saved rollback, sorted."""
        ...

    def deployments(self) -> list[Deployment]:
        """Every release that went live, oldest first."""
        ...

    def add_deployment(self, deployment: Deployment) -> None: ...


class Controllers(Protocol):
    """The processes that run rollouts: which one this is, whether another still runs."""

    def me(self) -> ControllerId: ...

    def alive(self, who: ControllerId) -> bool: ...

    def stop(self, who: ControllerId) -> None:
        """Ask the controller ``who`` to stop, and wait (bounded) until it has."""
        ...


class VerdictLike(Protocol):
    @property
    def decision(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


class JudgeLike(Protocol):
    def update(self, canary: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_],
               latency_ms: npt.NDArray[np.float64],
               expected_canary_share: float | None) -> VerdictLike: ...

    def update_intervals(self, intervals: Sequence[Interval],
                         shares: Sequence[float | None] | None = None) -> VerdictLike: ...

    def finish(self) -> VerdictLike: ...


@runtime_checkable
class UserJudgeLike(Protocol):
    """A judge whose unit is the user (a flag rollout): fed per-look user counts."""

    def update_users(self, seen: tuple[int, int], failed: tuple[int, int],
                     share: float | None, unlabelled: int = 0,
                     slow: tuple[int, int] | None = None) -> VerdictLike: ...

    def finish(self) -> VerdictLike: ...


class RolloutAdapters(Protocol):
    """Everything a rollout drives, built from the ``rollout.*`` and ``judge.*`` settings."""

    @property
    def target(self) -> DeployTarget: ...

    @property
    def router(self) -> Router: ...

    @property
    def states(self) -> RolloutStates: ...

    @property
    def controllers(self) -> Controllers: ...

    def metrics(self, *, canary: str, baseline: str, instances: Addresses,
                cursor: Mapping[str, Any] | None) -> MetricsSource: ...

    def flag_metrics(self, *, flag: str, canary: str, baseline: str,
                     clock: Callable[[], float], cursor: Mapping[str, Any] | None,
                     split_only: bool = False) -> MetricsSource:
        """A flag rollout's source: the app's counters labelled by variant (``split_only``:
        only those of users the split served, reason SPLIT)."""
        ...

    def judge(self) -> JudgeLike:
        """A fresh judge with the repository's ``judge.*`` settings."""
        ...

    def user_judge(self) -> UserJudgeLike:
        """A fresh judge whose unit is the user (a flag rollout), same settings."""
        ...
