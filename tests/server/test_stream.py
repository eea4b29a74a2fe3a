"""The live timeline: server-sent events, resumable with Last-Event-ID."""

from __future__ import annotations

import json
import threading

import httpx

from tests.server.live import LiveServer


def _events(lines: list[str]) -> list[dict[str, object]]:
    return [json.loads(line[len("data: "):]) for line in lines if line.startswith("data: ")]


def test_the_timeline_streams_new_events_as_they_are_written(server: LiveServer) -> None:
    key = server.opened("engineer")
    url = server.api(f"/{key}/timeline/stream")
    seen: list[str] = []
    with server.client("viewer") as c, c.stream("GET", url, params={"after": 1}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")

        def approve_soon() -> None:
            with server.client("approver") as a:
                assert a.post(server.api(f"/{key}/approve"), json={"note": "go"}).is_success

        writer = threading.Timer(0.3, approve_soon)
        writer.start()
        for line in r.iter_lines():
            seen.append(line)
            if len(_events(seen)) == 2:
                break
        writer.join()
    triage, approve = _events(seen)
    assert (triage["seq"], triage["kind"]) == (2, "triage")
    assert (approve["seq"], approve["kind"], approve["actor"]) == (3, "approve",
                                                                   "approver@shop.example")
    assert "id: 3" in seen


def test_a_reconnect_resumes_after_the_last_event_id(server: LiveServer) -> None:
    key = server.opened("engineer")
    with server.client("viewer", **{"Last-Event-ID": "1"}) as c, \
            c.stream("GET", server.api(f"/{key}/timeline/stream")) as r:
        lines = []
        for line in r.iter_lines():
            lines.append(line)
            if _events(lines):
                break
    assert [e["seq"] for e in _events(lines)] == [2]


def test_the_stream_of_an_unknown_hotfix_is_a_404_problem(server: LiveServer) -> None:
    with server.client("viewer") as c:
        r = c.get(server.api("/HF-99/timeline/stream"))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get(server.api("/HF-1/timeline/stream")).status_code == 401
