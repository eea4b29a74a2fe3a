"""A throw-away local Prometheus (Debian's ``prometheus`` binary) for the demo and the tests.

It scrapes the targets registered with it through file-based service discovery (a
``file_sd_configs`` JSON file rewritten whole on every change, as a platform's discovery
would), each with its own labels: the version label Prometheus adds per target is what the
``prometheus-api`` metrics source reads (docs/integrations.md). ``register`` returns once
Prometheus has scraped every new target, so a request a target serves after that is counted.

``Discovered`` wraps a deploy target so that every instance it starts is registered with
its version before the router can send it a request, and forgotten when it stops.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from hotfix.adapters.deploy.local import free_port
from hotfix.domain.rollout.state import Instance
from hotfix.errors import NotConfigured
from hotfix.ports import DeployTarget

JOB = "shop"
INSTALL = "apt-get install prometheus (Debian's package)"


def binary() -> str | None:
    """The ``prometheus`` on PATH, or None."""
    return shutil.which("prometheus")


class LocalPrometheus:
    """One running Prometheus: its URL, its targets file, and queries the demo needs."""

    def __init__(self, url: str, targets: Path, job: str, scrape_seconds: float) -> None:
        self.url, self.targets_file, self.job = url, targets, job
        self.scrape_seconds = scrape_seconds
        self.targets: dict[str, dict[str, str]] = {}  # address → its labels

    def register(self, address: str, labels: Mapping[str, str], timeout: float = 20.0) -> None:
        """Scrape ``address`` with ``labels`` from now on; returns once it has been scraped."""
        self.targets[address] = dict(labels)
        self._write()
        _wait(lambda: self.up(address), f"Prometheus to scrape {address}", timeout)

    def forget(self, address: str) -> None:
        if self.targets.pop(address, None) is not None:
            self._write()

    def up(self, address: str) -> bool:
        result = self.query(f'up{{job="{self.job}",instance="{address}"}}')
        return bool(result) and float(result[0]["value"][1]) == 1.0

    def query(self, promql: str) -> list[dict[str, Any]]:
        """An instant query's result vector ([] when Prometheus does not answer)."""
        try:
            body = httpx.get(f"{self.url}/api/v1/query", params={"query": promql},
                             timeout=5.0, trust_env=False).json()
        except (httpx.HTTPError, ValueError):
            return []
        return list(body.get("data", {}).get("result", [])) if isinstance(body, dict) else []

    def requests(self, versions: Sequence[str], within: str = "15m") -> dict[str, int]:
        """Each version's requests as Prometheus holds them: every instance's counter at its
        last scrape (a stopped one's too), summed."""
        result = self.query(f'sum by (version) (max_over_time(http_requests_total'
                            f'{{job="{self.job}"}}[{within}]))')
        held = {str(r["metric"].get("version")): round(float(r["value"][1])) for r in result}
        return {v: held.get(v, 0) for v in versions}

    def settings(self, status_label: str = "status") -> dict[str, Any]:
        """The hotfix settings that judge a rollout from this Prometheus: windows of one
        second, read once two scrapes have surely landed."""
        return {"rollout.metrics": "prometheus-api", "rollout.prometheus.url": self.url,
                "rollout.prometheus.status_label": status_label,
                "rollout.prometheus.selector": f'job="{self.job}"',
                "rollout.monitor.step_seconds": 1.0,
                "rollout.monitor.lag_seconds": max(1.0, 2 * self.scrape_seconds)}

    def _write(self) -> None:
        groups = [{"targets": [a], "labels": labels} for a, labels in self.targets.items()]
        part = self.targets_file.with_suffix(".part")
        part.write_text(json.dumps(groups), encoding="utf-8")
        part.replace(self.targets_file)  # whole, so Prometheus never reads half a file


@contextmanager
def local_prometheus(workdir: Path, *, job: str = JOB, scrape_seconds: float = 1.0,
                     timeout: float = 30.0) -> Iterator[LocalPrometheus]:
    """Start Prometheus on a free loopback port, its data under ``workdir``; stop it after."""
    found = binary()
    if found is None:
        raise NotConfigured("prometheus is not installed", hint=INSTALL)
    workdir.mkdir(parents=True, exist_ok=True)
    targets = workdir / "targets.json"
    targets.write_text("[]", encoding="utf-8")
    interval = f"{round(scrape_seconds * 1000)}ms"
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\n"
        f"scrape_configs:\n  - job_name: {job}\n    file_sd_configs:\n"
        f"      - files: [{json.dumps(str(targets))}]\n        refresh_interval: 1s\n",
        encoding="utf-8")
    listen = f"127.0.0.1:{free_port()}"
    log_path = workdir / "prometheus.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([found, f"--config.file={config}",
                                 f"--storage.tsdb.path={workdir / 'tsdb'}",
                                 f"--web.listen-address={listen}"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    try:
        try:
            _wait(lambda: proc.poll() is None and _ready(listen), "Prometheus to be ready",
                  timeout, give_up=lambda: proc.poll() is not None)
        except TimeoutError as exc:
            tail = log_path.read_text(errors="replace")[-1500:]
            raise NotConfigured(f"{exc}:\n{tail}",
                                hint=f"see {log_path}; the port may be taken") from None
        yield LocalPrometheus(f"http://{listen}", targets, job, scrape_seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Discovered:
    """A ``DeployTarget`` whose instances Prometheus scrapes, each labelled with its
    version, from before they serve their first routed request until they stop."""

    def __init__(self, inner: DeployTarget, prometheus: LocalPrometheus,
                 version_label: str = "version") -> None:
        self.inner, self.prometheus, self.version_label = inner, prometheus, version_label
        self.name = inner.name

    def start(self, version: str, count: int) -> list[Instance]:
        instances = self.inner.start(version, count)
        for instance in instances:
            self.prometheus.register(instance.address, {self.version_label: version})
        return instances

    def stop(self, instances: Sequence[Instance]) -> None:
        self.inner.stop(instances)
        for instance in instances:
            self.prometheus.forget(instance.address)

    def alive(self, instance: Instance) -> bool:
        return self.inner.alive(instance)


def _ready(listen: str) -> bool:
    try:
        return httpx.get(f"http://{listen}/-/ready", timeout=1.0,
                         trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(until: Callable[[], bool], what: str, timeout: float,
          give_up: Callable[[], bool] = lambda: False) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if give_up() or time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.1)
