"""Background jobs: the team server's one mechanism for work that runs outside a request
(notification delivery, and what registers later: scheduled content, flag propagation).

A ``Task`` is a job as a runner sees it: a name, what to run for a project (and maybe one
record), and how often when it is periodic. Two runners implement the same contract:
``hotfix.adapters.jobs.procrastinate_queue`` (team mode: jobs on PostgreSQL, run by
``hotfix worker`` processes, several on several machines) and ``hotfix.adapters.jobs.
in_process`` (local mode: a thread inside ``hotfix serve``). Either way a job is never run
twice at once for one ``lock_key``, and a run's ``id`` stays the same when a run whose
worker died is run again. The jobs themselves are ``hotfix.services.jobs.catalog``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Run:
    """One run of a task: for which project (and record), with what, under which id."""

    project: str
    record: int | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""  # the same when a run whose worker died is run again
    attempt: int = 0  # 0 the first time


@dataclass(frozen=True)
class Task:
    name: str  # e.g. notify.deliver
    run: Callable[[Run], Mapping[str, Any]]  # raises to fail the run (it is logged)
    every: float | None = None  # seconds: run for every project that often


def lock_key(name: str, project: str, record: int | None) -> str:
    """What two runs may never hold at once: one record of a project (whatever the job),
    or, for a job over a whole project, that job on that project."""
    return f"{project}:record:{record}" if record is not None else f"{project}:{name}"


class JobQueue(Protocol):
    """Where the server asks for a job to run soon (``defer``), and which runs them."""

    def defer(self, name: str, project: str, record: int | None = None,
              args: Mapping[str, Any] | None = None) -> None:
        """Ask for ``name`` to run for ``project`` (and ``record``); a run of it already
        waiting for the same lock is enough (nothing more is queued)."""
        ...

    def start(self) -> None:
        """Start running jobs in the background (a runner that runs none: nothing)."""
        ...

    def stop(self) -> None:
        """Stop cleanly: the run in progress finishes, nothing new starts."""
        ...
