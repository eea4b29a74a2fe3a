"""The ``builtin`` router: drives the asyncio proxy process through its admin endpoint."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hotfix.adapters.deploy import procs
from hotfix.adapters.routers import RouterError, python_env
from hotfix.ports import RequestLogFile, Split


@dataclass
class BuiltinRouter:
    state_dir: Path
    listen: str = "127.0.0.1:8080"
    admin: str = "127.0.0.1:8081"
    sticky_header: str = ""
    sticky_cookie: str = ""
    upstream_timeout: float = 10.0
    start_timeout: float = 10.0
    name: str = "builtin"

    @property
    def url(self) -> str:
        return f"http://{self.listen}"

    @property
    def log_path(self) -> Path:
        return self.state_dir / "requests.jsonl"

    def request_log(self) -> RequestLogFile:
        return RequestLogFile(self.log_path, "builtin")

    @property
    def state_path(self) -> Path:
        return self.state_dir / "router.json"

    def ensure(self) -> None:
        if self._state() is not None:
            return
        argv = [sys.executable, "-m", "hotfix.adapters.routers.proxy_server",
                "--listen", self.listen, "--admin", self.admin, "--log", str(self.log_path),
                "--state", str(self.state_path), "--sticky-header", self.sticky_header,
                "--sticky-cookie", self.sticky_cookie,
                "--upstream-timeout", repr(self.upstream_timeout)]
        out = self.state_dir / "router.log"
        pid, ticks = procs.spawn(argv, self.state_dir, out, python_env())
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._state() is not None:
                return
            if not procs.alive(pid, ticks):
                break
            time.sleep(0.05)
        procs.stop_group(pid, ticks, 2.0)
        raise RouterError(f"the builtin router did not start on {self.listen}:\n"
                          f"{procs.tail(out)}",
                          hint="free the port or set rollout.listen / rollout.admin")

    def apply(self, split: Split) -> None:
        try:
            resp = httpx.put(f"http://{self.admin}/state", content=json.dumps(split.to_dict()),
                             timeout=5.0, trust_env=False, verify=False)  # plain http
        except httpx.HTTPError as exc:
            raise RouterError(f"the builtin router on {self.admin} is unreachable: {exc}",
                              hint="run the command again: it restarts the router") from None
        if resp.status_code != 200:
            raise RouterError(f"the builtin router refused the split: {resp.text}")

    def current(self) -> Split | None:
        state = self._state()
        return Split.from_dict(state["split"]) if state else None

    def drain(self, version: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self._state()
            if state is None or not state["in_flight"].get(version):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        state = self._state()
        if state is None:
            return
        pid = int(state["pid"])
        ticks = procs.start_ticks(pid)
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"http://{self.admin}/shutdown", timeout=2.0, trust_env=False,
                       verify=False)
        procs.stop_group(pid, ticks, 10.0)

    def _state(self) -> dict[str, Any] | None:
        try:
            # plain http: no TLS, so no CA bundle to load (about 20 ms a call otherwise)
            resp = httpx.get(f"http://{self.admin}/state", timeout=2.0, trust_env=False,
                             verify=False)
        except httpx.HTTPError:
            return None
        return dict(resp.json()) if resp.status_code == 200 else None
