"""Router benchmark: the builtin proxy beside nginx, under wrk on loopback.

For each router: (1) a paced load of 500 req/s from wrk for 60 s (``--quick``: 10 s) while
the canary weight moves 0 → 5 → 25 → 50 % and then rolls back to 0 % (its instances drained
and stopped): failed requests (target 0) and the time from the rollback decision to 0 %
canary traffic (target < 1 s); (2) unpaced wrk for throughput and latency, beside the same
load sent straight to one app instance, to show what the router adds.

    python bench/router_bench.py [--quick] [--rate 500] [--seconds 60]

Needs wrk and nginx (apt-get install wrk nginx-light); nginx is skipped if missing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.rollout_app.support import COMMAND, make_app_repo  # noqa: E402

from hotfix.adapters.deploy.local import LocalTarget, free_port  # noqa: E402
from hotfix.adapters.routers.builtin import BuiltinRouter  # noqa: E402
from hotfix.adapters.routers.nginx import NginxRouter  # noqa: E402
from hotfix.ports import Instance, Split  # noqa: E402

PACED_LUA = "function delay() return {delay} end\n"


def wrk(url: str, seconds: float, connections: int, script: Path | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "5s", *(["-s", str(script)] if script else []), url]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    out = {"requests": float(re.search(r"(\d+) requests in", text)[1]),  # type: ignore[index]
           "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])}  # type: ignore[index]
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        out[f"p{pct}_ms"] = float(m[1]) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m[2]] if m else -1
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["non2xx"] = float(non2xx[1]) if non2xx else 0.0
    out["socket_errors"] = float(sum(map(int, sock.groups()))) if sock else 0.0
    return out


def split(v1: list[Instance], v2: list[Instance], weight: float) -> Split:
    return Split({"v1": tuple(i.address for i in v1), "v2": tuple(i.address for i in v2)},
                 {"v1": 100.0 - weight, "v2": weight})


def rollout_under_load(router, target: LocalTarget, v1, v2, seconds: float,  # type: ignore[no-untyped-def]
                       rate: float, lua: Path) -> dict[str, float]:
    """wrk paced at ``rate`` while weights move and then roll back; failures + rollback time."""
    router.apply(split(v1, v2, 0))
    result: dict[str, float] = {}
    runner = threading.Thread(target=lambda: result.update(wrk(router.url + "/a", seconds, 10,
                                                                 lua)))
    began = time.monotonic()
    runner.start()
    timing = {}
    for fraction, weight in ((0.1, 5), (0.3, 25), (0.5, 50), (0.75, 0)):
        time.sleep(max(0.0, began + fraction * seconds - time.monotonic()))
        decided = time.time()
        router.apply(split(v1, v2, weight) if weight else Split(
            {"v1": tuple(i.address for i in v1)}, {"v1": 100.0}))
        if weight == 0:
            timing = {"decided": decided, "applied": time.time()}
            router.drain("v2", 5.0)
            target.stop(v2)
    runner.join()
    last = last_canary_start(router)
    result["rollback_s"] = max(timing["applied"], last or 0.0) - timing["decided"]
    return result


def last_canary_start(router) -> float | None:  # type: ignore[no-untyped-def]
    time.sleep(0.3)
    last = None
    for line in router.log_path.read_text().splitlines():
        row = json.loads(line)
        if "version" in row:  # builtin
            if row["version"] == "v2":
                last = max(last or 0.0, float(row["t"]))
        else:  # nginx: request start = log time - request time
            versions = json.loads(router.addresses_path.read_text())
            if any(versions.get(a.strip()) == "v2" for a in row["upstream"].split(",")):
                last = max(last or 0.0, float(row["msec"]) - float(row["request_time"]))
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s of load instead of 60 s")
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="router-bench-"))
    repo = make_app_repo(work / "repo", {"v1": {"latency_ms": 1.0}, "v2": {"latency_ms": 1.0}})
    target = LocalTarget(repo, work / "state", COMMAND)
    lua = work / "paced.lua"
    # each of 10 connections waits this long after a response; ~4 ms of latency left out
    lua.write_text(PACED_LUA.format(delay=max(0, round(1000 * 10 / args.rate) - 4)))
    routers = [("builtin", BuiltinRouter(work / "builtin", f"127.0.0.1:{free_port()}",
                                         f"127.0.0.1:{free_port()}"))]
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx:
        routers.append(("nginx", NginxRouter(work / "nginx", f"127.0.0.1:{free_port()}", nginx)))
    else:
        print("nginx not installed: skipped (apt-get install nginx-light)")
    v1 = target.start("v1", 2)
    rows = []
    try:
        fast = 5.0 if args.quick else 10.0
        direct = wrk(f"http://{v1[0].address}/a", fast, 32)
        for name, router in routers:
            v2 = target.start("v2", 2)
            router.ensure()
            try:
                paced = rollout_under_load(router, target, v1, v2, seconds, args.rate, lua)
                router.apply(Split({"v1": tuple(i.address for i in v1)}, {"v1": 100.0}))
                rows.append((name, paced, wrk(router.url + "/a", fast, 32)))
            finally:
                router.stop()
                target.stop(v2)
    finally:
        target.stop(v1)
    report(rows, direct, seconds, args.rate)


def report(rows, direct, seconds, rate) -> None:  # type: ignore[no-untyped-def]
    print(f"\nrollout under paced load ({rate:g} req/s asked, {seconds:g} s, weights 0→5→25→50 "
          "then rollback to 0 % with the canary drained and stopped)")
    print(f"{'router':8} {'requests':>9} {'req/s':>7} {'non-2xx':>8} {'socket errors':>14} "
          f"{'rollback→0% (s)':>16}")
    for name, paced, _ in rows:
        print(f"{name:8} {paced['requests']:9.0f} {paced['rps']:7.0f} {paced['non2xx']:8.0f} "
              f"{paced['socket_errors']:14.0f} {paced['rollback_s']:16.3f}")
    print("\nunpaced throughput (wrk -c32, 2 app instances behind the router; direct = one "
          "instance, no router)")
    print(f"{'path':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'added p50 ms':>13}")
    print(f"{'direct':8} {direct['rps']:8.0f} {direct['p50_ms']:8.2f} {direct['p99_ms']:8.2f}")
    for name, _, fast in rows:
        print(f"{name:8} {fast['rps']:8.0f} {fast['p50_ms']:8.2f} {fast['p99_ms']:8.2f} "
              f"{fast['p50_ms'] - direct['p50_ms']:13.2f}")
    if len(rows) == 2:
        print(f"\nbuiltin/nginx throughput ratio: {rows[0][2]['rps'] / rows[1][2]['rps']:.2f}")


if __name__ == "__main__":
    main()
