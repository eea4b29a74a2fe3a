"""Local mode's runner: the jobs in one thread of ``hotfix serve``, one at a time (so
never two at once for one lock), each periodic task for every project as often as it
says; ``stop`` lets the run in progress finish and joins the thread."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from hotfix.ports.jobs import Run, Task, lock_key

log = logging.getLogger("hotfix.jobs")


class InProcessJobs:
    def __init__(self, tasks: Sequence[Task], projects: Sequence[str]) -> None:
        self.tasks = {t.name: t for t in tasks}
        self.projects = tuple(projects)
        self.due = {(t.name, p): 0.0 for t in tasks if t.every for p in self.projects}
        self.waiting: dict[str, tuple[str, Run]] = {}  # lock → (task, run): deferred
        self.wake = threading.Condition()
        self.stopping = False
        self.thread: threading.Thread | None = None
        self.runs = 0  # runs finished (whatever their outcome)

    def defer(self, name: str, project: str, record: int | None = None,
              args: Mapping[str, Any] | None = None) -> None:
        if name not in self.tasks:
            raise KeyError(f"no job named {name!r}")
        with self.wake:
            self.waiting.setdefault(lock_key(name, project, record),
                                    (name, Run(project, record, dict(args or {}))))
            self.wake.notify()

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._loop, name="hotfix-jobs", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        with self.wake:
            self.stopping = True
            self.wake.notify()
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def _loop(self) -> None:
        while (job := self._wait()) is not None:
            self._run(*job)

    def _wait(self) -> tuple[str, Run] | None:
        """The next run due, waiting for it; None once stopping."""
        with self.wake:
            while not self.stopping:
                job = self._next()
                if job is not None:
                    return job
                self.wake.wait(self._idle())
            return None

    def _next(self) -> tuple[str, Run] | None:
        if self.waiting:
            lock = next(iter(self.waiting))
            return self.waiting.pop(lock)
        now = time.monotonic()
        for (name, project), at in self.due.items():
            if at <= now:
                self.due[name, project] = now + float(self.tasks[name].every or 0)
                return name, Run(project)
        return None

    def _idle(self) -> float:
        soonest = min(self.due.values(), default=time.monotonic() + 60)
        return max(0.05, soonest - time.monotonic())

    def _run(self, name: str, run: Run) -> None:
        run = Run(run.project, run.record, run.args, id=f"local:{uuid.uuid4().hex}")
        try:
            done = self.tasks[name].run(run)
            log.debug("job %s for %s: %s", name, run.project, dict(done))
        except Exception:  # one job failing never stops the others; it runs again next time
            log.exception("job %s for %s failed", name, run.project)
        finally:
            self.runs += 1
