"""hotfix server import: a local record moves onto the server, numbers and hashes kept."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke
from tests.server.live import LiveServer

ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]


def _local_record(hotfix: Invoke) -> list[dict[str, object]]:
    assert hotfix("open", "Checkout 500", *ANSWERS, "--as", "dana@example.com").code == 0
    assert hotfix("approve", "HF-1", "--as", "lee@example.com").code == 0
    assert hotfix("open", "Slow search", "--as", "Kim@Example.com").code == 0
    events = hotfix("log", "HF-1", "--json").json()
    assert events["id"] == "HF-1"
    return [hotfix("log", key, "--json").json() for key in ("HF-1", "HF-2")]


def _as(monkeypatch: pytest.MonkeyPatch, live: LiveServer, role: str) -> None:
    monkeypatch.setenv("HOTFIX_SERVER", live.url)
    monkeypatch.setenv("HOTFIX_TOKEN", live.tokens[role])


def test_import_keeps_every_number_event_and_hash(hotfix: Invoke, any_server: LiveServer,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    local = _local_record(hotfix)
    _as(monkeypatch, any_server, "engineer")
    refused = hotfix("server", "import")
    assert refused.code == 1
    assert "may not admin" in refused.err
    _as(monkeypatch, any_server, "admin")
    done = hotfix("server", "import", "--json")
    assert done.code == 0, done.err
    assert done.json()["imported"] == ["HF-1", "HF-2"]
    with any_server.client("viewer") as c:
        for before in local:
            after = c.get(any_server.api(f"/{before['id']}")).json()
            assert [e["hash"] for e in after["events"]] == [e["hash"] for e in before["events"]]
            assert c.get(any_server.api(f"/{before['id']}/chain")).json()["ok"] is True
    assert any_server.opened("engineer") == "HF-3"  # the next number is past the imported
    again = hotfix("server", "import")
    assert again.code == 1
    assert "#1, #2 exist already" in again.err
    with any_server.client("viewer") as c:
        assert c.get(any_server.api()).json()["total"] == 3


def test_a_number_that_exists_refuses_the_whole_import(hotfix: Invoke, server: LiveServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _local_record(hotfix)
    server.opened("engineer")  # HF-2 is free on the server, HF-1 is not
    _as(monkeypatch, server, "admin")
    refused = hotfix("server", "import", "--json")
    assert refused.code == 1
    assert refused.json()["error"] == "conflict_error"
    with server.client("viewer") as c:
        assert c.get(server.api()).json()["total"] == 1


def test_a_tampered_chain_is_refused(server: LiveServer) -> None:
    key = server.opened("engineer")
    with server.client("viewer") as c:
        events = c.get(server.api(f"/{key}")).json()["events"]
    for e in events:
        e["hotfix"] = 7
    events[1]["payload"]["answers"]["workaround"] = "yes"
    with server.client("admin") as c:
        r = c.post("/api/v1/projects/default/import", json={"records": [{"events": events}]})
    assert r.status_code == 409
    assert r.json()["error"] == "chain_broken"
