"""The jobs, by name: each a function of one project's scope and one run, returning what
it did (logged by the runner). ``register`` is the hook later work adds its jobs through
(scheduled content, flag propagation): a name, the function, and the setting that says how
often it runs for every project, when it is periodic.

Runners (``hotfix.ports.jobs``) never run two runs of one job on one project at once (nor
two jobs on one record), and give a run whose worker died, run again, the same id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.config import Config
from hotfix.errors import ConfigError
from hotfix.ports.jobs import Run, Task
from hotfix.services.jobs.scope import ProjectScope
from hotfix.services.notify.dispatch import deliver_due

JobFunction = Callable[[ProjectScope, Run], Mapping[str, Any]]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobFunction
    every: str | None = None  # the setting (seconds) of how often it runs, when periodic


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in JOBS and JOBS[job.name] != job:
        raise ValueError(f"a job named {job.name!r} is registered already")
    JOBS[job.name] = job
    return job


def deliver_notices(scope: ProjectScope, run: Run) -> Mapping[str, Any]:
    """``notify.deliver``: the status updates due for open SEV1/SEV2 records queued, then
    every notice due delivered (``hotfix.services.notify.dispatch.deliver_due``)."""
    report = deliver_due(scope, scope.now(), holder=f"job:{run.id}" if run.id else None)
    return {k: v for k, v in report.to_dict().items() if k != "attempts"}


register(Job("notify.deliver", deliver_notices, every="jobs.deliver_every"))


def run_schedules(scope: ProjectScope, run: Run) -> Mapping[str, Any]:
    """``content.schedule``: every scheduled publish and expiry due logged on its record
    (those missed while the server was down, at its start: the runners run it first)."""
    if scope.content is None:
        return {"moves": []}
    return {"moves": [f"{key} {move}" for key, move in scope.content.run_due()]}


register(Job("content.schedule", run_schedules, every="jobs.schedule_every"))


def tasks(cfg: Config, scope_of: Callable[[str], ProjectScope]) -> list[Task]:
    """Every registered job as a runner's ``Task``, bound to the projects' scopes, its
    period read from the server's settings ``cfg``."""
    return [Task(job.name, _bound(job, scope_of), _every(cfg, job))
            for job in JOBS.values()]


def _bound(job: Job, scope_of: Callable[[str], ProjectScope]) -> Callable[[Run], Mapping[str, Any]]:
    def run(given: Run) -> Mapping[str, Any]:
        return job.run(scope_of(given.project), given)

    return run


def _every(cfg: Config, job: Job) -> float | None:
    if job.every is None:
        return None
    seconds = cfg.float(job.every)
    if not 1 <= seconds <= 86400:
        raise ConfigError(f"{job.every} = {seconds:g} is not between 1 and 86400 seconds",
                          hint=f"e.g. {job.every} = 5")
    return seconds
