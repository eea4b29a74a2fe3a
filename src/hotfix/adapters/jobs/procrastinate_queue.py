"""Team mode's runner: the jobs on procrastinate, in the record's PostgreSQL, run by
``hotfix worker`` processes (several, on several machines).

- Every job's runs hold a procrastinate ``lock`` (``ports.jobs.lock_key``): two runs for
  one record, or of one project-wide job on one project, never run at once.
- Periodic tasks are deferred by every worker's periodic deferrer; procrastinate keeps
  one run per tick, whichever worker defers it.
- A worker that dies (SIGKILL, a lost machine) stops its heartbeat; after
  ``stalled_after`` seconds another worker puts its runs back to be run again, under the
  same job id, so a run's ``Run.id`` names the same work on its retry.
- The schema (procrastinate's own tables) is created by the first worker that finds it
  missing, under an advisory lock; runs that succeeded are deleted after a day."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

import psycopg
from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.schema import SchemaManager

from hotfix.adapters.store.database import libpq_url
from hotfix.errors import StoreError
from hotfix.ports.jobs import Run, Task, lock_key

log = logging.getLogger("hotfix.jobs")
SCHEMA_LOCK = 0x686F7466  # the advisory lock the schema is created under ("hotf")
KEEP_HOURS = 24  # succeeded runs are kept this long


def cron(every: float) -> str:
    """A procrastinate cron (a sixth field for seconds) for about every ``every`` seconds."""
    seconds = max(1, round(every))
    if seconds < 60:
        return f"* * * * * */{seconds}"
    if seconds < 3600:
        return f"*/{max(1, seconds // 60)} * * * *"
    return f"0 */{min(23, max(1, seconds // 3600))} * * *" if seconds < 86400 else "0 0 * * *"


class ProcrastinateJobs:
    def __init__(self, url: str, tasks: Sequence[Task], projects: Sequence[str], *,
                 heartbeat: float = 10.0, stalled_after: float = 30.0) -> None:
        self.url = url
        self.conninfo = libpq_url(url)
        self.heartbeat, self.stalled_after = heartbeat, stalled_after
        self.app = App(connector=PsycopgConnector(conninfo=self.conninfo))
        self.opened = False
        for task in tasks:
            self._register(task, projects)
        self._register_cleanup()

    # ── the server's side: ask for a run ────────────────────────────────────────────

    def defer(self, name: str, project: str, record: int | None = None,
              args: Mapping[str, Any] | None = None) -> None:
        if not self.opened:
            ensure_schema(self.conninfo)
            self.app.open()
            self.opened = True
        lock = lock_key(name, project, record)
        with suppress(AlreadyEnqueued):  # a run waiting for this lock will do
            self.app.tasks[name].configure(lock=lock, queueing_lock=lock).defer(
                project=project, record=record, args=dict(args or {}))

    def start(self) -> None:
        """The server runs no job here: ``hotfix worker`` does."""

    def stop(self) -> None:
        if self.opened:
            self.app.close()
            self.opened = False

    # ── the worker ──────────────────────────────────────────────────────────────────

    def work(self, name: str | None = None) -> None:
        """Run jobs until SIGINT/SIGTERM (the run in progress finishes first)."""
        ensure_schema(self.conninfo)
        asyncio.run(self._work(name or f"{socket.gethostname()}:{os.getpid()}"))

    async def _work(self, name: str) -> None:
        async with self.app.open_async():
            recovering = asyncio.create_task(self._recover_forever())
            try:
                await self.app.run_worker_async(
                    name=name, concurrency=1, update_heartbeat_interval=self.heartbeat,
                    stalled_worker_timeout=self.stalled_after, install_signal_handlers=True)
            finally:
                recovering.cancel()

    async def _recover_forever(self) -> None:
        while True:
            await asyncio.sleep(max(0.5, min(self.heartbeat, self.stalled_after / 3)))
            try:
                await self.recover()
            except Exception:  # the database went away: the worker's own loop says so
                log.exception("could not look for the runs of dead workers")

    async def recover(self) -> int:
        """Put the runs of workers silent for ``stalled_after`` seconds back in the queue."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_after)
        again = 0
        for job in stalled:
            try:
                await manager.retry_job(job)
                again += 1
                log.warning("job %s (%s) of a dead worker runs again", job.id, job.task_name)
            except Exception:  # another worker put it back first, or a twin is waiting
                log.exception("could not run job %s again", job.id)
        return again

    def _register(self, task: Task, projects: Sequence[str]) -> None:
        def body(context: JobContext, timestamp: int = 0, project: str = "",
                 record: int | None = None, args: dict[str, Any] | None = None
                 ) -> dict[str, Any]:  # timestamp: the tick, when deferred as periodic
            job = context.job
            return dict(task.run(Run(project, record, args or {}, id=f"pg:{job.id}",
                                     attempt=job.attempts)))

        registered = self.app.task(name=task.name, pass_context=True)(body)
        if task.every is None:
            return
        for project in projects:
            lock = lock_key(task.name, project, None)
            self.app.periodic(cron=cron(task.every), periodic_id=project, lock=lock,
                              task_kwargs={"project": project})(registered)


    def _register_cleanup(self) -> None:
        """Every hour, the runs that succeeded more than ``KEEP_HOURS`` ago are deleted
        (failed ones are kept, to be looked at)."""
        async def cleanup(context: JobContext, timestamp: int = 0) -> None:
            await context.app.job_manager.delete_old_jobs(nb_hours=KEEP_HOURS)

        task = self.app.task(name="hotfix.jobs.cleanup", pass_context=True,
                             queueing_lock="hotfix.jobs.cleanup")(cleanup)
        self.app.periodic(cron="7 * * * *", periodic_id="hourly")(task)


def ensure_schema(conninfo: str) -> None:
    """procrastinate's tables, functions and types, created once (under an advisory lock,
    so workers starting together create them once)."""
    try:
        with psycopg.connect(conninfo) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                conn.execute(SchemaManager.get_schema())
    except psycopg.Error as exc:
        raise StoreError(f"could not prepare the job queue's tables: {exc}",
                         hint="check that the database is running and HOTFIX_DATABASE_URL "
                         "is right") from None
