"""A real team server for tests: ``hotfix serve``'s app under uvicorn on a loopback port,
on a real database, with one user (and token) per role."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from hotfix.domain.identity.access import ROLES
from hotfix.server.app import create_app
from hotfix.services.identity.users import add_user
from hotfix.services.server import ServerParts, ServerSettings
from hotfix.wiring import open_server

PROJECT = "default"
ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no"}  # SEV2


def email(role: str) -> str:
    return f"{role}@shop.example"


@dataclass
class LiveServer:
    url: str
    directory: Path
    settings: ServerSettings
    parts: ServerParts
    tokens: dict[str, str] = field(default_factory=dict)  # role → its user's token

    def client(self, role: str | None = None, **headers: str) -> httpx.Client:
        given = dict(headers)
        if role is not None:
            given["Authorization"] = f"Bearer {self.tokens[role]}"
        return httpx.Client(base_url=self.url, headers=given, timeout=30)

    def api(self, path: str = "") -> str:
        return f"/api/v1/projects/{PROJECT}/hotfixes{path}"

    def opened(self, by: str = "engineer", answers: Mapping[str, Any] | None = ANSWERS) -> str:
        """A new hotfix opened by ``by`` (triaged unless ``answers`` is None): its id."""
        with self.client(by) as c:
            r = c.post(self.api(), json={"title": "Checkout 500", "answers": answers})
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit it: without, a response written as headers then body
    # waits ~40 ms for the client's delayed ACK (Nagle), which is all a benchmark would see
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Serving:
    """A server's app under uvicorn, in a thread, on a loopback port."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread
    sock: socket.socket

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def serve(settings: ServerSettings, parts: ServerParts, *, wait: bool = True) -> Serving:
    """``hotfix serve``'s app for ``settings`` and ``parts``, answering at ``.url``."""
    sock = free_socket()
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, parts), log_level="warning",
                                           lifespan="on", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    serving = Serving(f"http://{host}:{port}", server, thread, sock)
    if wait:
        _wait_started(server)
    return serving


@contextmanager
def live_server(directory: Path, database_url: str, toml: str = "",
                environ: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "hotfix.toml").write_text(toml)
    env = {"HOTFIX_DATABASE_URL": database_url, **(environ or {})}
    settings, parts = open_server(directory, env)
    serving = serve(settings, parts, wait=False)
    live = LiveServer(serving.url, directory, settings, parts)
    now = parts.clock.now()
    for role in ROLES:
        live.tokens[role] = add_user(parts.identities, email(role), role, "*", now).secret
    try:
        _wait_started(serving.server)
        yield live
    finally:
        serving.stop()


def _wait_started(server: uvicorn.Server) -> None:
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
