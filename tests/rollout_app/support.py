"""Helpers for the rollout tests: a git repo of the tiny app, tagged per behaviour."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.local import LocalTarget, free_port
from hotfix.adapters.routers.builtin import BuiltinRouter

APP = Path(__file__).with_name("server.py")
COMMAND = ["{python}", "-m", "app.server", "--port", "{port}"]
GOOD: dict[str, Any] = {"error_rate": 0.0, "latency_ms": 1.0}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args], cwd=repo,
        check=True, capture_output=True, text=True).stdout.strip()


def make_app_repo(path: Path, versions: Mapping[str, Mapping[str, Any]]) -> Path:
    """A repo with app/server.py; one commit + tag per version, behaviour from the mapping."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    (path / "app").mkdir(exist_ok=True)
    (path / "app" / "__init__.py").write_text("")
    (path / "app" / "server.py").write_text(APP.read_text())
    for tag, behaviour in versions.items():
        (path / "app" / "behaviour.json").write_text(json.dumps({"version": tag, **behaviour}))
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", f"app {tag}")
        git(path, "tag", tag)
    return path


def processes_in(path: Path) -> list[int]:
    """Live processes whose working directory is inside ``path`` (orphans, if any)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = (entry / "cwd").resolve()
        except OSError:
            continue
        if cwd.is_relative_to(path.resolve()) and procs.alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def get_many(url: str, n: int, **kw: Any) -> list[httpx.Response]:
    with httpx.Client(timeout=10.0, trust_env=False) as client:
        return [client.get(url, **kw) for _ in range(n)]


class Started:
    """Everything a test started, stopped at teardown whatever happened."""

    def __init__(self) -> None:
        self.targets: list[tuple[LocalTarget, list[Any]]] = []
        self.routers: list[Any] = []

    def local(self, repo: Path, **kw: Any) -> LocalTarget:
        target = LocalTarget(repo, repo / ".hotfix" / "rollout", COMMAND, **kw)
        self.targets.append((target, []))
        return target

    def builtin(self, state_dir: Path, **kw: Any) -> BuiltinRouter:
        router = BuiltinRouter(state_dir, f"127.0.0.1:{free_port()}",
                               f"127.0.0.1:{free_port()}", **kw)
        self.routers.append(router)
        return router

    def close(self) -> None:
        for router in self.routers:
            router.stop()


@pytest.fixture
def started() -> Iterator[Started]:
    box = Started()
    before = set(procs._CHILDREN)
    yield box
    box.close()
    for pid in set(procs._CHILDREN) - before:  # anything a test left running
        procs.stop_group(pid, 0, 2.0)
