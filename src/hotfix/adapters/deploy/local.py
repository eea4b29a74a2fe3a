"""The ``local`` target: N processes of the app at a tag, from a git worktree of that tag.

Each instance runs the configured command template (``{port}``, ``{host}`` and ``{python}``
substituted) in the worktree, in its own process group, with its output in a log file. It
is health-checked (HTTP GET of the health path) before ``start`` returns, so a process that
never becomes healthy never gets traffic: it is stopped and the start fails. An instance's
handle holds its pid and start time (``process_of``), so a reused pid is never signalled.
"""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hotfix.adapters.deploy import UnhealthyInstance, procs
from hotfix.adapters.deploy.health import wait_healthy
from hotfix.adapters.git import cmd as git
from hotfix.ports import Instance

__all__ = ["LocalTarget", "UnhealthyInstance", "free_port", "process_of"]


@dataclass
class LocalTarget:
    root: Path  # the repository holding the tags
    state_dir: Path  # worktrees and logs go here
    command: Sequence[str]
    health_path: str = "/health"
    health_timeout: float = 20.0
    stop_timeout: float = 10.0
    host: str = "127.0.0.1"
    env: Mapping[str, str] | None = None
    name: str = "local"

    def start(self, version: str, count: int) -> list[Instance]:
        tree = self.worktree(version)
        started: list[Instance] = []
        try:
            for _ in range(count):
                started.append(self._start_one(version, tree))
        except BaseException:
            self.stop(started)
            raise
        return started

    def stop(self, instances: Sequence[Instance]) -> None:
        for inst in instances:
            pid, ticks = process_of(inst)
            if pid:
                procs.stop_group(pid, ticks, self.stop_timeout)

    def alive(self, instance: Instance) -> bool:
        pid, ticks = process_of(instance)
        return bool(pid) and procs.alive(pid, ticks)

    def worktree(self, version: str) -> Path:
        """A detached worktree of ``version`` (made once, reused)."""
        path = self.state_dir / "worktrees" / _safe(version)
        if not (path / ".git").exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            git.run(["worktree", "prune"], self.root)
            git.run(["worktree", "add", "--force", "--detach", str(path), version], self.root)
        return path

    def remove_worktree(self, version: str) -> None:
        path = self.state_dir / "worktrees" / _safe(version)
        if path.exists():
            git.run(["worktree", "remove", "--force", str(path)], self.root, check=False)

    def _start_one(self, version: str, tree: Path) -> Instance:
        port = free_port(self.host)
        argv = [_fill(part, port=str(port), host=self.host, python=sys.executable)
                for part in self.command]
        log = self.state_dir / "logs" / f"{_safe(version)}-{port}.log"
        pid, ticks = procs.spawn(argv, tree, log, self.env)
        inst = Instance(version, f"{self.host}:{port}", str(log),
                        {"pid": pid, "start_ticks": ticks})
        problem = wait_healthy(f"http://{inst.address}{self.health_path}",
                               self.health_timeout, lambda: procs.alive(pid, ticks))
        if problem:
            procs.stop_group(pid, ticks, self.stop_timeout)
            raise UnhealthyInstance(
                f"{version} on {inst.address} failed its health check: {problem}; it got no "
                f"traffic and was stopped. Its output ends with:\n{procs.tail(log)}",
                hint=f"see {log}; check rollout.local.command and rollout.local.health_path")
        return inst


def process_of(instance: Instance) -> tuple[int, int]:
    """The (pid, start ticks) of a local instance; (0, 0) for any other."""
    handle = instance.handle
    return int(handle.get("pid", 0)), int(handle.get("start_ticks", 0))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _safe(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", version)
