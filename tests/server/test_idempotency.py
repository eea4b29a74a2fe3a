"""A retried request is recorded once: on the server (same Idempotency-Key) and through the
CLI's client when the response is lost after the server committed."""

from __future__ import annotations

import httpx
import pytest

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.remote.client import ServerClient
from hotfix.adapters.remote.records import RemoteRecords
from hotfix.errors import ServerUnavailable
from tests.server.live import ANSWERS, LiveServer


def test_the_same_key_twice_writes_once(server: LiveServer) -> None:
    with server.client("engineer", **{"Idempotency-Key": "k-open"}) as c:
        first = c.post(server.api(), json={"title": "Cart empty", "answers": ANSWERS}).json()
        again = c.post(server.api(), json={"title": "Cart empty", "answers": ANSWERS}).json()
    assert first["id"] == again["id"] == "HF-1"
    assert [e["kind"] for e in again["events"]] == ["open", "triage"]
    with server.client("approver", **{"Idempotency-Key": "k-approve"}) as c:
        for _ in range(3):
            r = c.post(server.api("/HF-1/approve"), json={"note": "go"})
            assert r.status_code == 200, r.text
    kinds = [e["kind"] for e in r.json()["events"]]
    assert kinds == ["open", "triage", "approve"]
    with server.client("viewer") as c:
        assert c.get(server.api()).json()["total"] == 1


class LoseFirstResponse(httpx.BaseTransport):
    """The real server gets the request and answers; the first answer never arrives."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.real.handle_request(request)
        if request.method == "POST" and not self.lost:
            response.read()
            self.lost += 1
            raise httpx.ReadError("connection reset by peer", request=request)
        return response

    def close(self) -> None:
        self.real.close()


def test_a_lost_response_is_retried_without_a_second_event(server: LiveServer) -> None:
    key = server.opened("engineer")
    transport = LoseFirstResponse()
    client = ServerClient(server.url, server.tokens["approver"], transport=transport,
                          backoff=(0.0, 0.0))
    records = RemoteRecords(client, "default", SystemClock())
    after = records.act(key, "approve", "ignored@example.com", {"note": "go"})
    assert transport.lost == 1
    assert [e.kind for e in after.events] == ["open", "triage", "approve"]
    assert after.approvals == ("approver@shop.example",)  # the token's user, not the actor given
    assert records.verify(key).ok
    client.close()


def test_a_server_that_keeps_failing_mid_request_is_said_so(server: LiveServer) -> None:
    def always_lost(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = ServerClient(server.url, server.tokens["engineer"],
                          transport=httpx.MockTransport(always_lost), backoff=(0.0,))
    try:
        with pytest.raises(ServerUnavailable, match="recorded at most once"):
            RemoteRecords(client, "default", SystemClock()).log_time("HF-1", "x@y.z", "5m")
    finally:
        client.close()
