"""The server's background jobs: an event written through the server is a notice that the
jobs deliver — in-process on SQLite; on PostgreSQL by real ``hotfix worker`` processes,
and when one is killed mid-delivery, another finishes that very run, exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from hotfix.errors import ConfigError
from hotfix.services.server import project_records
from hotfix.wiring import open_server
from tests.adapters.notify.receivers import SECRET, WebhookReceiver
from tests.cli.conftest import Invoke
from tests.conftest import postgres_schema_url
from tests.server.live import LiveServer, live_server

ENV = {"HOTFIX_TEST_WEBHOOK_SECRET": SECRET}
WAIT = 90.0  # seconds a test waits for something to happen before it fails


def _toml(url: str, on: str, extra: str = "") -> str:
    return f"""
[jobs]
deliver_every = 1
{extra}
[notify.channels.stakeholders]
type = "webhook"
url = "{url}"
secret_env = "HOTFIX_TEST_WEBHOOK_SECRET"

[[notify.routes]]
on = {on}
to = ["stakeholders"]
"""


class CountingReceiver(WebhookReceiver):
    """Counts every verified, answered delivery by ``webhook-id``; ``hang_first`` holds the
    first request unanswered until ``release`` (its sender is killed meanwhile)."""

    def __init__(self, hang_first: bool = False) -> None:
        self.answered: Counter[str] = Counter()
        self.arrived = threading.Event()
        self.release = threading.Event()
        super().__init__(self._answer if hang_first else self._ok)

    def _ok(self, n: int, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str],
                                                                          bytes]:
        return 200, {}, b"ok"

    def _answer(self, n: int, headers: dict[str, str], body: bytes
                ) -> tuple[int, dict[str, str], bytes]:
        if n == 1:
            self.arrived.set()
            self.release.wait(WAIT)
            return 599, {}, b""  # never answered: its sender died waiting
        return self._ok(n, headers, body)

    def seen(self, status: int, headers: dict[str, str], body: bytes) -> None:
        super().seen(status, headers, body)
        if status == 200 and headers["webhook-id"] in self.by_id:
            self.answered[headers["webhook-id"]] += 1

    def close(self) -> None:
        self.release.set()
        super().close()


@pytest.fixture
def receiver() -> Iterator[CountingReceiver]:
    r = CountingReceiver()
    yield r
    r.close()


def _until(what: str, done: Callable[[], Any]) -> None:
    deadline = time.monotonic() + WAIT
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT:g}s for {what}")
        time.sleep(0.1)


def test_an_event_written_through_the_server_is_delivered_by_its_in_process_jobs(
        tmp_path: Path, receiver: CountingReceiver) -> None:
    toml = _toml(receiver.url, '["open", "triage"]')
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}", toml,
                     ENV) as server:
        key = server.opened("engineer")
        _until("two notices", lambda: len(receiver.answered) == 2)
        outbox = server.parts.notify["default"].adapters.outbox
        assert {m.notice.event: m.state for m in outbox.messages()} == {
            "open": "delivered", "triage": "delivered"}
        jobs = server.parts.jobs
    assert {p["data"]["key"] for p in receiver.by_id.values()} == {key}
    assert {p["data"]["event"] for p in receiver.by_id.values()} == {"open", "triage"}
    assert set(receiver.answered.values()) == {1}
    assert getattr(jobs, "thread", "?") is None  # stopped with the server


@pytest.mark.postgres
def test_the_live_timeline_of_a_replica_hears_another_replicas_append(
        tmp_path: Path) -> None:
    for url in postgres_schema_url():
        with live_server(tmp_path / "a", url) as one, live_server(tmp_path / "b", url) as two:
            _hears(one, two)


def _hears(one: LiveServer, two: LiveServer) -> None:
    feed = two.parts.changes
    assert feed is not None
    key = one.opened("engineer")
    number = int(key.split("-")[1])
    _until("the listener", lambda: feed.version("default", number) is not None)
    before = feed.version("default", number)
    assert _stream_until_approved(two, key, lambda: _approve(one, key)) == ["approve"]
    assert feed.version("default", number) != before  # told by NOTIFY, not found by polling


def _approve(live: LiveServer, key: str) -> None:
    with live.client("approver") as c:
        assert c.post(live.api(f"/{key}/approve"), json={"note": "go"}).is_success


def _stream_until_approved(live: LiveServer, key: str, write: Callable[[], None]) -> list[str]:
    import json

    kinds: list[str] = []
    with live.client("viewer") as c, c.stream("GET", live.api(f"/{key}/timeline/stream"),
                                              params={"after": 2}) as r:
        writer = threading.Timer(0.3, write)
        writer.start()
        for line in r.iter_lines():
            if line.startswith("data: "):
                kinds.append(json.loads(line[6:])["kind"])
                break
        writer.join()
    return kinds


# ── PostgreSQL: real hotfix worker processes ─────────────────────────────────────────


@contextmanager
def _pg_server_dir(tmp_path: Path, toml: str) -> Iterator[tuple[Path, str]]:
    for url in postgres_schema_url():
        directory = tmp_path / "server"
        directory.mkdir()
        (directory / "hotfix.toml").write_text(toml)
        yield directory, url


def _open_record(directory: Path, url: str) -> str:
    settings, parts = open_server(directory, {"HOTFIX_DATABASE_URL": url, **ENV})
    try:
        return project_records(settings, parts, "default").open(
            "Checkout 500", "dana@shop.example").key
    finally:
        parts.close()


def _defer_delivery(directory: Path, url: str) -> None:
    _, parts = open_server(directory, {"HOTFIX_DATABASE_URL": url, **ENV})
    try:
        assert parts.jobs is not None
        parts.jobs.defer("notify.deliver", "default")
    finally:
        parts.close()


def _worker(directory: Path, url: str, name: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOTFIX_DATABASE_URL": url, **ENV}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "hotfix", "worker", "--dir",
                                 str(directory), "--name", name], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _jobs(url: str) -> list[dict[str, Any]]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.text(
                "SELECT id, status, task_name, worker_id AS worker FROM procrastinate_jobs "
                "ORDER BY id"))
            return [dict(r._mapping) for r in rows]
    finally:
        engine.dispose()


def _stop(proc: subprocess.Popen[bytes]) -> int:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    return proc.wait(30)


@pytest.mark.postgres
def test_a_job_deferred_is_run_by_a_hotfix_worker(tmp_path: Path,
                                                 receiver: CountingReceiver) -> None:
    toml = _toml(receiver.url, '["open"]').replace("deliver_every = 1", "deliver_every = 3600")
    with _pg_server_dir(tmp_path, toml) as (directory, url):
        key = _open_record(directory, url)
        _defer_delivery(directory, url)
        assert [(j["task_name"], j["status"]) for j in _jobs(url)] == [("notify.deliver",
                                                                         "todo")]
        worker = _worker(directory, url, "one", tmp_path / "one.log")
        try:
            _until("the delivery", lambda: len(receiver.answered) == 1)
            _until("the job to finish", lambda: _jobs(url)[0]["status"] == "succeeded")
        finally:
            code = _stop(worker)
        assert code == 0, (tmp_path / "one.log").read_text()
    (payload,) = receiver.by_id.values()
    assert (payload["data"]["key"], payload["data"]["event"]) == (key, "open")
    assert set(receiver.answered.values()) == {1}


@pytest.mark.postgres
def test_a_worker_killed_mid_delivery_leaves_the_run_to_another_which_delivers_it_once(
        tmp_path: Path) -> None:
    hanging = CountingReceiver(hang_first=True)
    toml = _toml(hanging.url, '["open"]', "heartbeat_seconds = 0.5\nstalled_after = 2\n"
                 "[notify]\ntimeout = 60")
    try:
        with _pg_server_dir(tmp_path, toml) as (directory, url):
            key = _open_record(directory, url)
            first = _worker(directory, url, "first", tmp_path / "first.log")
            try:
                assert hanging.arrived.wait(WAIT), (tmp_path / "first.log").read_text()
                (doing,) = [j for j in _jobs(url) if j["status"] == "doing"]
                assert doing["task_name"] == "notify.deliver"
            finally:
                os.killpg(first.pid, signal.SIGKILL)  # mid-delivery: the receiver holds it
                first.wait(30)
            second = _worker(directory, url, "second", tmp_path / "second.log")
            try:
                _until("the delivery", lambda: len(hanging.answered) == 1)
                _until("two more runs", lambda: sum(
                    (j["task_name"], j["status"]) == ("notify.deliver", "succeeded")
                    for j in _jobs(url)) >= 3)
                finished = {j["id"]: j for j in _jobs(url)}[doing["id"]]
            finally:
                assert _stop(second) == 0, (tmp_path / "second.log").read_text()
            (message,) = open_outbox(directory, url)
    finally:
        hanging.close()
    assert finished["status"] == "succeeded"  # the killed worker's own run, finished …
    assert finished["worker"] not in (None, doing["worker"])  # … by the other worker
    (webhook_id,) = hanging.answered
    assert webhook_id.startswith(f"{key}.1.")
    assert hanging.answered[webhook_id] == 1  # delivered once …
    assert len(hanging.requests) == 2  # … after the one the killed worker never finished
    assert (message.state, message.attempts) == ("delivered", 2)


def open_outbox(directory: Path, url: str) -> list[Any]:
    _, parts = open_server(directory, {"HOTFIX_DATABASE_URL": url, **ENV})
    try:
        return parts.notify["default"].adapters.outbox.messages()
    finally:
        parts.close()


def test_hotfix_worker_refuses_sqlite_and_says_serve_runs_the_jobs(hotfix: Invoke,
                                                                    tmp_path: Path) -> None:
    refused = hotfix("worker", "--dir", str(tmp_path))
    assert refused.code == 2, refused.err
    assert "hotfix worker runs jobs on PostgreSQL" in refused.err
    assert "on SQLite hotfix serve runs the jobs itself" in refused.err
    (tmp_path / "hotfix.toml").write_text('[jobs]\nrunner = "elsewhere"\n')
    bad = hotfix("worker", "--dir", str(tmp_path))
    assert bad.code == 2
    assert "jobs.runner = 'elsewhere' is not one of auto, in-process, worker" in bad.err


@pytest.mark.postgres
def test_hotfix_worker_without_a_channels_secret_names_it_before_any_job(
        tmp_path: Path) -> None:
    with _pg_server_dir(tmp_path, _toml("http://127.0.0.1:9/hook", '["open"]')) as (
            directory, url):
        env = {k: v for k, v in os.environ.items() if k not in ENV}
        done = subprocess.run([sys.executable, "-m", "hotfix", "worker", "--dir",
                               str(directory)], env={**env, "HOTFIX_DATABASE_URL": url},
                              capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "HOTFIX_TEST_WEBHOOK_SECRET is not set" in done.stderr


def test_a_server_whose_route_names_no_channel_does_not_start(tmp_path: Path) -> None:
    (tmp_path / "hotfix.toml").write_text('[[notify.routes]]\non = ["open"]\nto = ["nobody"]\n')
    with pytest.raises(ConfigError, match="nobody"):
        open_server(tmp_path, {"HOTFIX_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"})
