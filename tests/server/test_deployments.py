"""The record of deployments on the team server (``hotfix deployed`` signed in)."""

from __future__ import annotations

from tests.server.live import PROJECT, LiveServer, email

DEPLOYMENTS = f"/api/v1/projects/{PROJECT}/deployments"


def test_deployments_are_kept_oldest_first_reported_by_the_token(server: LiveServer) -> None:
    with server.client("viewer") as c:
        assert c.get(DEPLOYMENTS).json() == []
        refused = c.post(DEPLOYMENTS, json={"version": "v1.0.0", "at": 1.0e9})
    assert refused.status_code == 403
    with server.client("engineer") as c:
        first = c.post(DEPLOYMENTS, json={"version": "v1.0.0", "at": 1.0e9,
                                          "by": "someone@else.example"})
        second = c.post(DEPLOYMENTS, json={"version": "v1.1.0", "at": 1.1e9,
                                           "source": "promote", "key": "HF-1"})
        bad = c.post(DEPLOYMENTS, json={"version": "v1.2.0", "at": 1.2e9, "source": "magic"})
    assert first.status_code == second.status_code == 201, first.text
    assert bad.status_code == 422
    with server.client("viewer") as c:
        got = c.get(DEPLOYMENTS).json()
    assert [(d["version"], d["at"], d["by"], d["source"], d["key"]) for d in got] == [
        ("v1.0.0", 1.0e9, email("engineer"), "pipeline", ""),
        ("v1.1.0", 1.1e9, email("engineer"), "promote", "HF-1")]
