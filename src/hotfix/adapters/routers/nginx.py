"""The ``nginx`` router: an upstream block with weights, tested, then a graceful reload.

A new split is written beside the live one and checked with ``nginx -t`` on a copy of the
main file that includes it; only when the check passes does it replace the live upstream
file and ``nginx -s reload`` swap workers gracefully. On any failure the old files, and so
the old split, stay live. nginx runs from its own prefix directory under the state dir.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotfix.adapters.deploy import procs
from hotfix.adapters.routers import RouterError
from hotfix.adapters.routers.nginx_conf import main_conf, upstream_conf
from hotfix.ports import RequestLogFile, Split


@dataclass
class NginxRouter:
    state_dir: Path
    listen: str = "127.0.0.1:8080"
    binary: str = "nginx"
    sticky_header: str = ""
    sticky_cookie: str = ""
    client_keepalive: int = 0
    name: str = "nginx"

    @property
    def home(self) -> Path:
        return self.state_dir / "nginx"

    @property
    def url(self) -> str:
        return f"http://{self.listen}"

    @property
    def log_path(self) -> Path:
        return self.home / "access.jsonl"

    @property
    def addresses_path(self) -> Path:
        """Every address ever routed to, with its version: how log lines map to versions."""
        return self.home / "addresses.json"

    def request_log(self) -> RequestLogFile:
        return RequestLogFile(self.log_path, "nginx", self.addresses_path)

    def ensure(self) -> None:
        if self._master() is not None:
            return
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        conf = self.home / "nginx.conf"
        conf.write_text(main_conf(self.home, self.listen, self.home / "upstream.conf",
                                  self.client_keepalive))
        if not (self.home / "upstream.conf").exists():
            self._write_split(Split({}, {}), self.home / "upstream.conf")
        self._nginx("-t", "-q", conf=conf)
        self._nginx(conf=conf)
        if not self._wait(lambda: self._master() is not None, 10.0):
            raise RouterError(f"nginx did not start on {self.listen}: {self._error_tail()}",
                              hint="free the port or set rollout.listen")

    def apply(self, split: Split) -> None:
        master = self._master()
        if master is None:
            raise RouterError("nginx is not running", hint="run the command again: it starts nginx")
        candidate = self.home / "upstream.candidate.conf"
        candidate_main = self.home / "nginx.candidate.conf"
        self._write_split(split, candidate)
        candidate_main.write_text(main_conf(self.home, self.listen, candidate,
                                            self.client_keepalive))
        self._nginx("-t", "-q", conf=candidate_main)  # raises: the live files are untouched
        candidate.replace(self.home / "upstream.conf")
        self._remember(split)
        (self.home / "split.json").write_text(json.dumps(split.to_dict()))
        old = set(_workers(master))
        self._nginx("-s", "reload", conf=self.home / "nginx.conf")
        self._wait(lambda: _swapped(master, old), 5.0)

    def current(self) -> Split | None:
        if self._master() is None:
            return None
        try:
            return Split.from_dict(json.loads((self.home / "split.json").read_text()))
        except FileNotFoundError:
            return Split({}, {})

    def drain(self, version: str, timeout: float) -> bool:
        """Wait for the workers of the previous configuration to finish their requests."""
        master = self._master()
        return master is None or self._wait(
            lambda: not any(_shutting_down(pid) for pid in _workers(master)), timeout)

    def stop(self) -> None:
        master = self._master()
        if master is None:
            return
        self._nginx("-s", "quit", conf=self.home / "nginx.conf", check=False)
        if not self._wait(lambda: not procs.alive(master), 10.0):
            procs.stop_group(master, 0, 1.0)

    def _master(self) -> int | None:
        try:
            pid = int((self.home / "nginx.pid").read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if procs.alive(pid) else None

    def _write_split(self, split: Split, path: Path) -> None:
        path.write_text(upstream_conf(split, self.sticky_header, self.sticky_cookie))

    def _remember(self, split: Split) -> None:
        known: dict[str, str] = {}
        if self.addresses_path.exists():
            known = json.loads(self.addresses_path.read_text())
        for version, addresses in split.backends.items():
            known.update(dict.fromkeys(addresses, version))
        self.addresses_path.write_text(json.dumps(known))

    def _nginx(self, *args: str, conf: Path, check: bool = True) -> None:
        argv = [self.binary, "-p", str(self.home), "-e", str(self.home / "error.log"),
                "-c", str(conf), *args]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        except FileNotFoundError:
            raise RouterError(f"{self.binary} is not installed",
                              hint="apt-get install nginx-light, or set rollout.router = "
                                   "\"builtin\"") from None
        if check and proc.returncode != 0:
            raise RouterError(
                f"`{' '.join(argv)}` failed ({proc.returncode}); the previous configuration "
                f"stays live: {proc.stderr.strip() or proc.stdout.strip()}",
                hint=f"fix the cause above, then run the command again; logs in {self.home}")

    def _error_tail(self) -> str:
        return procs.tail(self.home / "error.log", 5)

    @staticmethod
    def _wait(done: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return True
            time.sleep(0.01)
        return False


def _workers(master: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == master:
                out.append(int(entry.name))
    return out


def _swapped(master: int, old: set[int]) -> bool:
    """New workers run and every old one has stopped accepting (it only finishes requests)."""
    now = set(_workers(master))
    return bool(now - old) and all(_shutting_down(pid) for pid in now & old)


def _shutting_down(pid: int) -> bool:
    try:
        return b"shutting down" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False

