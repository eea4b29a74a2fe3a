"""A tiny stdlib web app for the rollout tests and benchmarks.

Its behaviour comes from ``behaviour.json`` beside the package (so each git tag can behave
differently): ``error_rate`` (share of 500s), ``latency_ms`` (median, log-normal),
``healthy`` (whether /health answers 200), ``hang`` (every other request waits for an hour:
a hung instance that still looks healthy), ``spawn_child`` (start a long ``sleep`` child, to
prove process-group cleanup), ``version``. Serves GET /health, GET /metrics (Prometheus
text), and anything else as the app.
"""

import argparse
import json
import math
import random
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BEHAVIOUR = json.loads((Path(__file__).parent / "behaviour.json").read_text())
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
LOCK = threading.Lock()
COUNTS = {}
HIST = [0] * (len(BUCKETS) + 1)
TOTAL = [0.0, 0]


def observe(code, seconds):
    with LOCK:
        COUNTS[code] = COUNTS.get(code, 0) + 1
        HIST[next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))] += 1
        TOTAL[0] += seconds
        TOTAL[1] += 1


def metrics_text():
    lines = ["# HELP app_requests_total Requests served.", "# TYPE app_requests_total counter"]
    with LOCK:
        lines += [f'app_requests_total{{code="{c}"}} {n}' for c, n in sorted(COUNTS.items())]
        lines += ["# TYPE app_request_duration_seconds histogram"]
        acc = 0
        for bound, n in zip((*BUCKETS, math.inf), HIST, strict=False):
            acc += n
            le = "+Inf" if bound == math.inf else repr(bound)
            lines.append(f'app_request_duration_seconds_bucket{{le="{le}"}} {acc}')
        lines += [f"app_request_duration_seconds_sum {TOTAL[0]}",
                  f"app_request_duration_seconds_count {TOTAL[1]}"]
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes

    def log_message(self, *args):
        pass

    def _send(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._serve()

    def _serve(self):
        if self.path == "/health":
            ok = BEHAVIOUR.get("healthy", True)
            return self._send(200 if ok else 500, "ok" if ok else "sick", "text/plain")
        if self.path == "/metrics":
            return self._send(200, metrics_text(), "text/plain; version=0.0.4")
        if BEHAVIOUR.get("hang"):
            time.sleep(3600)
        start = time.perf_counter()
        median = BEHAVIOUR.get("latency_ms", 0.0)
        if median:
            time.sleep(median * math.exp(random.gauss(0, 0.3)) / 1000.0)
        bad = random.random() < BEHAVIOUR.get("error_rate", 0.0)
        code = 500 if bad else 200
        self._send(code, json.dumps({"version": BEHAVIOUR.get("version", "?"),
                                     "path": self.path, "ok": not bad}))
        observe(code, time.perf_counter() - start)
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if BEHAVIOUR.get("spawn_child"):
        subprocess.Popen(["sleep", "300"])
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
