"""Content hotfixes: publish → visible and revert → visible on the origin content endpoint,
and the endpoint's throughput with conditional requests (ETag → 304) against unconditional.

A ``hotfix serve`` app under uvicorn on loopback (tests/server/live.py) on SQLite, with the
demo's catalog (demo/content_scenario.py: zones ``shipping`` and ``stock``, two templates)
synced and each template approved by the approver. Each of ROUNDS rounds drafts and
approves a new shipping deadline (untimed), then times from just before ``POST
…/content/changes/{key}/publish`` to the first ``GET /content/v1/zones/shipping`` showing
it, and from just before ``…/revert`` to the first
GET showing the previous deadline again (a client polling as fast as it can). Target < 1 s
each. Then requests per second for SECONDS each (wrk, 1 thread × CONNECTIONS keep-alive
connections, when installed; else that many httpx threads): the zone unconditionally (200
and its JSON), the zone with ``If-None-Match`` its current ETag (304, no body), and the peer
``GET /healthz``, the floor of one round trip through FastAPI on the same server.

    python bench/content_bench.py [--quick] [--rounds 20] [--seconds 5] [--connections 4]
        [--load wrk|httpx]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.server.live import LiveServer, live_server  # noqa: E402

from hotfix.demo.content_scenario import TEMPLATES, ZONES, approve_templates  # noqa: E402
from hotfix.services.content.catalog import read_catalog  # noqa: E402

CONTENT = "/api/v1/projects/default/content"
ZONE = "/content/v1/zones/shipping"


def catalog(folder: Path) -> dict[str, object]:
    (folder / "content" / "templates").mkdir(parents=True)
    (folder / "content" / "zones.toml").write_text(ZONES, encoding="utf-8")
    for name, text in TEMPLATES.items():
        (folder / "content" / "templates" / f"{name}.toml").write_text(text, encoding="utf-8")
    return read_catalog(folder)


def drafted(live: LiveServer, deadline: date) -> str:
    with live.client("marketer") as marketer, live.client("approver") as approver:
        made = marketer.post(f"{CONTENT}/changes", json={
            "template": "shipping-deadline",
            "values": {"deadline": deadline.isoformat(), "message": "Order by"}})
        assert made.status_code == 201, made.text
        key = str(made.json()["id"])
        ok = approver.post(f"/api/v1/projects/default/hotfixes/{key}/approve",
                           json={"note": "bench"})
        assert ok.is_success, ok.text
    return key


def visible(site: httpx.Client, act: httpx.Client, path: str, deadline: date) -> float:
    """Seconds from just before POST ``path`` to the first zone GET showing ``deadline``."""
    started = time.perf_counter()
    done = act.post(path)
    assert done.is_success, done.text
    while site.get(ZONE).json()["values"].get("deadline") != deadline.isoformat():
        if time.perf_counter() - started > 30:
            raise RuntimeError(f"{deadline} not visible 30 s after {path}")
    return time.perf_counter() - started


def rounds(live: LiveServer, count: int) -> tuple[list[float], list[float]]:
    base = date.today() + timedelta(days=30)
    published, reverted = [], []
    with live.client() as site, live.client("marketer") as marketer:
        first = drafted(live, base)
        visible(site, marketer, f"{CONTENT}/changes/{first}/publish", base)
        for i in range(1, count + 1):
            key = drafted(live, base + timedelta(days=i))
            published.append(visible(site, marketer, f"{CONTENT}/changes/{key}/publish",
                                     base + timedelta(days=i)))
            reverted.append(visible(site, marketer, f"{CONTENT}/changes/{key}/revert", base))
    return published, reverted


def wrk(url: str, seconds: float, connections: int, headers: dict[str, str]) -> float:
    given = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                          *given, url], capture_output=True, text=True, timeout=seconds + 30,
                         check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert errors is None, out
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found is not None, out
    return float(found[1])


def threads(url: str, seconds: float, connections: int, headers: dict[str, str]) -> float:
    done = [0] * connections
    until = time.perf_counter() + seconds

    def go(i: int) -> None:
        with httpx.Client(headers=headers, trust_env=False, timeout=10) as http:
            while time.perf_counter() < until:
                assert http.get(url).status_code < 400
                done[i] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=go, args=(i,)) for i in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 30)
    return sum(done) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--load", choices=("wrk", "httpx"),
                        help="the load generator (default: wrk when installed)")
    args = parser.parse_args()
    count = args.rounds or (5 if args.quick else 20)
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    use_wrk = args.load == "wrk" or (args.load is None and shutil.which("wrk") is not None)
    load = wrk if use_wrk else threads
    with tempfile.TemporaryDirectory() as tmp, \
            live_server(Path(tmp) / "server", f"sqlite:///{tmp}/bench.db") as live:
        with live.client("engineer") as engineer:
            synced = engineer.post(f"{CONTENT}/catalog", json=catalog(Path(tmp) / "repo"))
            assert synced.is_success, synced.text
        with live.client("approver") as approver:
            approve_templates(approver, Path(tmp) / "repo")  # an approve_template event each
        published, reverted = rounds(live, count)
        print(f"{count} rounds on SQLite ({count + 1} content changes and the templates' "
              "approvals record at the end); "
              "target < 1 s each")
        for name, times in (("publish → visible", published), ("revert → visible", reverted)):
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(f"  {name:18} median {statistics.median(times) * 1000:7.1f} ms, "
                  f"p95 {p95 * 1000:7.1f} ms, max {ordered[-1] * 1000:7.1f} ms")
        with live.client() as site:
            etag = site.get(ZONE).headers["etag"]
            assert site.get(ZONE, headers={"If-None-Match": etag}).status_code == 304
        tool = "wrk" if load is wrk else "httpx threads"
        print(f"throughput, {tool}, {args.connections} connections, {seconds:.0f} s each:")
        floor = load(f"{live.url}/healthz", seconds, args.connections, {})
        rates = {"zone, unconditional (200)": load(live.url + ZONE, seconds,
                                                   args.connections, {}),
                 "zone, If-None-Match (304)": load(live.url + ZONE, seconds,
                                                   args.connections, {"If-None-Match": etag}),
                 "peer: GET /healthz": floor}
        for name, rate in rates.items():
            print(f"  {name:27} {rate:8.0f} req/s  ({rate / floor:.2f}× /healthz)")
        ratio = rates["zone, If-None-Match (304)"] / rates["zone, unconditional (200)"]
        print(f"  conditional / unconditional: {ratio:.2f}×")


if __name__ == "__main__":
    main()
