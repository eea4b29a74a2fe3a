"""A team server for the demos: ``hotfix serve``'s app under uvicorn on a free loopback
port, in this process, with a user (and token) per person, stopped when the block ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hotfix.services.context import Context
from hotfix.services.server import ServerParts


@dataclass(frozen=True)
class TeamServer:
    url: str
    tokens: dict[str, str]  # email → the token printed once by hotfix users add
    parts: ServerParts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def team_server(directory: Path, environ: Mapping[str, str],
                people: Mapping[str, str]) -> Iterator[TeamServer]:
    """The server of ``directory`` (its hotfix.toml and database), ``people`` (email →
    role) its users."""
    import uvicorn

    from hotfix.server.app import create_app
    from hotfix.services.identity.users import add_user
    from hotfix.wiring import open_server

    settings, parts = open_server(directory, environ)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, parts), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    now = parts.clock.now()
    tokens = {who: add_user(parts.identities, who, role, "*", now).secret
              for who, role in people.items()}
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            raise RuntimeError("the demo's team server did not start")
        yield TeamServer(f"http://127.0.0.1:{port}", tokens, parts)
    finally:
        server.should_exit = True
        thread.join(10)


def wait_healthy(url: str) -> None:
    """Until a demo shop started as a subprocess answers ``url`` with 200 (20 s at most)."""
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the demo shop did not start at {url}")


@contextmanager
def signed_in(root: Path, environ: Mapping[str, str], url: str,
              token: str) -> Iterator[Context]:
    """The repository's context acting through the team server as ``token``'s user, as
    after ``hotfix login``."""
    from hotfix.wiring import open_context

    ctx = open_context(root, {**environ, "HOTFIX_SERVER": url, "HOTFIX_TOKEN": token})
    try:
        yield ctx
    finally:
        ctx.close()


@contextmanager
def shop(module: str, *args: str) -> Iterator[str]:
    """A demo shop (``python -m module --port P *args``) on a free loopback port, once its
    ``/health`` answers; its address, stopped when the block ends."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args])
    try:
        wait_healthy(f"http://127.0.0.1:{port}/health")
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
