"""The load generator: bounded, loopback only, counts what came back."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hotfix.adapters.deploy.local import free_port
from hotfix.adapters.rollout.loadgen import LoadProcess, Req, run_load
from hotfix.errors import UsageError
from tests.rollout_app.support import GOOD, Started, make_app_repo


def test_sends_the_mix_and_stops_at_the_request_bound(tmp_path: Path, started: Started) -> None:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD})
    (inst,) = started.local(repo).start("v1", 1)
    report = run_load(f"http://{inst.address}", rate=500, seconds=30, max_requests=120,
                      mix=[Req("GET", "/a"), Req("POST", "/checkout", {"card_country": "DE"})],
                      users=10, seed=1)
    assert report.sent == 120
    assert report.statuses == {200: 120}
    assert report.to_dict()["failures"] == {}


def test_stops_at_the_time_bound_and_counts_transport_failures() -> None:
    report = run_load("http://127.0.0.1:9", rate=20, seconds=0.5, max_requests=10_000)
    assert report.sent == 10  # 0.5 s at 20/s
    assert sum(report.failures.values()) == 10


@pytest.mark.parametrize("url", ["http://192.0.2.1:80", "http://example.invalid"])
def test_refuses_anything_but_loopback(url: str) -> None:
    with pytest.raises(UsageError, match="only sends to loopback"):
        run_load(url, rate=1, seconds=1, max_requests=1)


class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


def test_its_own_process_waits_for_the_server_and_stops_when_asked() -> None:
    port = free_port()
    load = LoadProcess(f"http://127.0.0.1:{port}", rate=200, seconds=60, max_requests=50_000,
                       ready_path="/health", seed=2)
    server = ThreadingHTTPServer(("127.0.0.1", port), Ok)
    try:
        time.sleep(0.5)  # nothing listens yet: it waits and sends nothing
        assert load.proc.poll() is None
        threading.Thread(target=server.serve_forever, daemon=True).start()
        time.sleep(2.0)
        began = time.monotonic()
        report = load.stop()
        assert time.monotonic() - began < 10
    finally:
        server.shutdown()
        server.server_close()
    assert 0 < report.sent < 50_000
    assert report.statuses[200] == report.sent
    assert report.failures == {}


def test_its_own_process_ends_at_its_bound() -> None:
    report = LoadProcess("http://127.0.0.1:9", rate=20, seconds=0.5, max_requests=10_000).wait(30)
    assert report.sent == 10
    assert sum(report.failures.values()) == 10
