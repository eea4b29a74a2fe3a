"""Both runners keep the jobs' contract: every run deferred runs, and never two at once for
one lock (one record) — procrastinate with two workers on a real PostgreSQL, the
in-process runner in its thread; a job that fails does not stop the others."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from hotfix.adapters.jobs.in_process import InProcessJobs
from hotfix.adapters.jobs.procrastinate_queue import ProcrastinateJobs, cron
from hotfix.ports.jobs import Run, Task, lock_key
from tests.conftest import postgres_schema_url


class Overlap:
    """A job that notes how many runs of each record are running at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: Counter[int | None] = Counter()
        self.most: Counter[int | None] = Counter()
        self.done: list[tuple[int | None, int]] = []

    def __call__(self, run: Run) -> Mapping[str, Any]:
        with self.lock:
            self.running[run.record] += 1
            self.most[run.record] = max(self.most[run.record], self.running[run.record])
        threading.Event().wait(0.02)  # long enough for a second worker to try the same lock
        with self.lock:
            self.running[run.record] -= 1
            self.done.append((run.record, int(run.args["n"])))
        if run.args.get("fail"):
            raise RuntimeError("this run fails")
        return {"n": run.args["n"]}


def test_the_lock_is_one_record_of_a_project_or_one_project_wide_job() -> None:
    assert lock_key("notify.deliver", "shop", None) == "shop:notify.deliver"
    assert lock_key("content.publish", "shop", 7) == lock_key("flags.push", "shop", 7)
    assert lock_key("content.publish", "shop", 7) != lock_key("content.publish", "blog", 7)


def test_the_cron_of_a_period() -> None:
    assert [cron(s) for s in (1, 5, 60, 600, 3600, 86400)] == [
        "* * * * * */1", "* * * * * */5", "*/1 * * * *", "*/10 * * * *", "0 */1 * * *",
        "0 0 * * *"]


@pytest.mark.postgres
def test_two_procrastinate_workers_never_run_one_record_twice_at_once() -> None:
    job = Overlap()
    for url in postgres_schema_url():
        jobs = ProcrastinateJobs(url, [Task("test.overlap", job)], ["shop"])
        try:
            jobs.defer("test.overlap", "shop", 1, {"n": 0})
            jobs.defer("test.overlap", "shop", 1, {"n": 0})  # one waiting per lock is enough
            for n in range(1, 6):  # more runs of each record, waiting together
                for record in (1, 2):
                    jobs.app.tasks["test.overlap"].configure(
                        lock=lock_key("test.overlap", "shop", record)).defer(
                        project="shop", record=record, args={"n": n})
            asyncio.run(_two_workers(jobs))
        finally:
            jobs.stop()
    assert sorted(job.done) == sorted([(1, 0)] + [(r, n) for n in range(1, 6) for r in (1, 2)])
    assert job.most == Counter({1: 1, 2: 1})


async def _two_workers(jobs: ProcrastinateJobs) -> None:
    async with jobs.app.open_async():
        await asyncio.gather(*(jobs.app.run_worker_async(
            name=name, wait=False, install_signal_handlers=False, concurrency=1)
            for name in ("one", "two")))


def test_the_in_process_runner_runs_what_is_deferred_one_at_a_time_until_stopped() -> None:
    job = Overlap()
    jobs = InProcessJobs([Task("test.overlap", job)], ["shop"])
    jobs.defer("test.overlap", "shop", 1, {"n": 0, "fail": True})
    jobs.defer("test.overlap", "shop", 1, {"n": 9})  # one waiting per lock is enough
    jobs.defer("test.overlap", "shop", 2, {"n": 1})
    jobs.start()
    try:
        for _ in range(6000):  # a minute at most
            if jobs.runs >= 2:
                break
            threading.Event().wait(0.01)
    finally:
        jobs.stop()
    assert jobs.thread is None
    assert sorted(job.done) == [(1, 0), (2, 1)]  # the failing run did not stop the next
    with pytest.raises(KeyError):
        jobs.defer("no.such.job", "shop")


@pytest.mark.postgres
def test_runs_that_succeeded_a_day_ago_are_deleted_and_failed_ones_kept() -> None:
    import sqlalchemy

    job = Overlap()
    for url in postgres_schema_url():
        jobs = ProcrastinateJobs(url, [Task("test.overlap", job)], ["shop"])
        try:
            jobs.defer("test.overlap", "shop", 1, {"n": 1})
            jobs.defer("test.overlap", "shop", 2, {"n": 2, "fail": True})
            asyncio.run(_two_workers(jobs))
            engine = sqlalchemy.create_engine(url)
            with engine.begin() as conn:
                conn.exec_driver_sql("UPDATE procrastinate_events SET at = at - interval '2 days'")
            asyncio.run(_clean_up(jobs))
            with engine.connect() as conn:
                left = conn.exec_driver_sql(
                    "SELECT task_name, status FROM procrastinate_jobs ORDER BY id").all()
            engine.dispose()
        finally:
            jobs.stop()
    assert [tuple(r) for r in left] == [("test.overlap", "failed"),
                                        ("hotfix.jobs.cleanup", "succeeded")]


async def _clean_up(jobs: ProcrastinateJobs) -> None:
    async with jobs.app.open_async():
        await jobs.app.tasks["hotfix.jobs.cleanup"].defer_async()
        await jobs.app.run_worker_async(name="cleaner", wait=False,
                                        install_signal_handlers=False)
