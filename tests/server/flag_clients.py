"""Flags changed over HTTP as the CLI does when signed in (the ``RemoteRecords`` of each
role's user), for the OFREP tests: one client per role, closed with the server."""

from __future__ import annotations

from typing import Any

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.remote.client import ServerClient
from hotfix.adapters.remote.records import RemoteRecords
from hotfix.services.flags import changes
from hotfix.services.flags.client_keys import create_key
from tests.server.live import ANSWERS, LiveServer, email

ENGINEER, APPROVER = email("engineer"), email("approver")
BOOL = {"type": "boolean", "variants": {"on": True, "off": False}, "default": "off"}
CLIENTS: dict[str, ServerClient] = {}


def remote(live: LiveServer, role: str) -> RemoteRecords:
    if role not in CLIENTS:
        CLIENTS[role] = ServerClient(live.url, live.tokens[role])
    return RemoteRecords(CLIENTS[role], "default", SystemClock())


def close_clients() -> None:
    while CLIENTS:
        CLIENTS.popitem()[1].close()


def serve(live: LiveServer, key: str, definition: dict[str, Any], **change: Any) -> None:
    """A flag proposed by the engineer, approved by the approver, set: all over HTTP."""
    made = changes.propose(remote(live, "engineer"), ENGINEER, {"key": key, **definition},
                           "test", ANSWERS)
    remote(live, "approver").act(made.key, "approve", APPROVER, {"note": "ok"})
    changes.set_flag(remote(live, "engineer"), ENGINEER, key, change, "serve it")


def client_key(live: LiveServer, label: str = "sdk") -> str:
    return create_key(live.parts.identities, "default", label, "test",
                      live.parts.clock.now()).secret
