"""Roll back first, timed: from `hotfix rollback HF-N --to v1.1.1` to 100 % of the traffic on
v1.1.1, under a paced load of 500 requests/s on loopback, through the builtin router.

Each round: production runs v1.1.1, the "pipeline" replaces it with v1.2.0 (untimed), an
approved roll-back-first record is opened, the load starts; then `python -m hotfix rollback`
runs as a user runs it (a fresh process). Two cases, alternated:

  warm  v1.1.1's worktree is still there (it was live minutes ago): start = spawn + health
  cold  v1.1.1's worktree removed first: start = git worktree add + spawn + health

Printed per case (medians over the rounds): the time from launching the command to the
last request the router sent to v1.2.0 (its own request log: after it, 100 % on v1.1.1);
the service's own figure (rollback begun → the router took the split); the whole command
(with verify's checks and process exit); `hotfix status` under the same load (the start-up
floor of any fresh hotfix process); requests sent, the rate reached, failed requests
(target 0). Targets: warm < 2 s, and cold said. Bounded: every load stops by itself.

    python bench/rollback_bench.py [--quick] [--rounds 3] [--rate 500]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.rollout_app.support import COMMAND, make_app_repo  # noqa: E402

from hotfix.adapters.deploy.local import LocalTarget, free_port  # noqa: E402
from hotfix.adapters.rollout.loadgen import LoadReport, Req, run_load  # noqa: E402
from hotfix.services.context import Context  # noqa: E402
from hotfix.services.rollout import production  # noqa: E402
from hotfix.wiring import open_context  # noqa: E402

LOAD_SECONDS = 15.0  # covers the steady second before, the command, and the drain after
APPROVER, ENGINEER = "lee@example.com", "dana@example.com"
ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no",
           "caused_by_last_deploy": "yes", "rollback_safe": "yes"}


def write_settings(repo: Path) -> None:
    listen, admin = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    command = ", ".join(json.dumps(part) for part in COMMAND)
    (repo / "hotfix.toml").write_text(
        f'[approvals]\napprovers = ["{APPROVER}"]\n\n[rollout]\nlisten = "{listen}"\n'
        f'admin = "{admin}"\ninstances = 1\ndrain_seconds = 1.0\n\n[rollout.local]\n'
        f"command = [{command}]\nhealth_timeout = 20.0\n\n[verify]\n"
        'smoke = [{ method = "GET", path = "/health", status = 200, match = "ok" }]\n',
        encoding="utf-8")


def broken(ctx: Context) -> str:
    """v1.1.1 live, then v1.2.0 deployed by the pipeline; an approved roll-back-first record."""
    production.teardown(ctx)
    production.up(ctx, "v1.1.1")
    production.replace(ctx, "v1.2.0", "ci@example.com")
    rec = ctx.records.open("search answers nothing since v1.2.0", ENGINEER, ANSWERS)
    ctx.records.act(rec.key, "approve", APPROVER, {})
    return rec.key


PACED_LUA = "function delay() return {delay} end\n"
CONNECTIONS = 20


def under_load(url: str, rate: float, seconds: float, scratch: Path
               ) -> tuple[threading.Event, LoadReport, threading.Thread]:
    """Paced load in the background: wrk when installed (C, so the load itself costs little
    CPU on a busy box), else hotfix's own asyncio load generator. Bounded by ``seconds``."""
    stop, report = threading.Event(), LoadReport()

    def with_wrk() -> None:
        script = scratch / "paced.lua"
        script.write_text(PACED_LUA.format(delay=max(1, round(CONNECTIONS * 1000 / rate) - 2)))
        text = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{round(seconds)}s",
                               "--timeout", "5s", "-s", str(script), url + "/products"],
                              capture_output=True, text=True, check=True).stdout
        sent = int(re.search(r"(\d+) requests in ([\d.]+)s", text)[1])  # type: ignore[index]
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                         r"timeout (\d+)", text)
        report.sent, report.seconds = sent, seconds
        report.statuses[500] += int(non2xx[1]) if non2xx else 0
        report.failures["socket"] += sum(map(int, sock.groups())) if sock else 0

    def with_loadgen() -> None:
        got = run_load(url + "/products", rate=rate, seconds=seconds,
                       max_requests=int(rate * seconds), mix=[Req("GET", "/products")],
                       stop=stop)
        report.sent, report.statuses = got.sent, got.statuses
        report.failures, report.seconds = got.failures, got.seconds

    thread = threading.Thread(target=with_wrk if shutil.which("wrk") else with_loadgen,
                              daemon=True)
    thread.start()
    return stop, report, thread


def last_request_to(log: Path, version: str, since: float) -> float | None:
    last = None
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row["version"] == version and row["t"] >= since:
            last = max(last or 0.0, float(row["t"]))
    return last


def one_round(ctx: Context, cold: bool, rate: float, scratch: Path) -> dict[str, Any]:
    key = broken(ctx)
    target = ctx.rollout.target
    if cold and isinstance(target, LocalTarget):
        target.remove_worktree("v1.1.1")
    log = ctx.rollout.router.request_log()
    assert log is not None
    url = ctx.rollout.router.url
    stop, load, thread = under_load(url, rate, LOAD_SECONDS, scratch)
    time.sleep(1.0)  # the load is steady before the command
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    floor_began = time.time()  # the start-up floor, under the same load: a command that reads
    subprocess.run([sys.executable, "-m", "hotfix", "status", key, "--json"], cwd=ctx.root,
                   env=env, capture_output=True, timeout=120, check=True)
    floor = time.time() - floor_began
    began = time.time()
    done = subprocess.run([sys.executable, "-m", "hotfix", "rollback", key, "--to", "v1.1.1",
                           "--as", APPROVER, "--json"], cwd=ctx.root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    finished = time.time()
    thread.join(timeout=LOAD_SECONDS + 30)  # the load ends by itself (wrk -d, or its bound)
    stop.set()
    if done.returncode != 0:
        raise SystemExit(f"hotfix rollback failed ({done.returncode}): {done.stderr}")
    out = json.loads(done.stdout)
    last_bad = last_request_to(log.path, "v1.2.0", began)
    return {"to_100": (last_bad - began) if last_bad is not None else float("nan"),
            "service": out["switch_seconds"], "command": finished - began, "floor": floor,
            "sent": load.sent, "rate": load.sent / load.seconds if load.seconds else 0.0,
            "failed": sum(load.failures.values()) + sum(
                n for code, n in load.statuses.items() if code >= 500)}


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): the figures mean little on a busy box."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round per case")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=500.0)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    before = load_average()
    with tempfile.TemporaryDirectory(prefix="hotfix-rollback-bench-") as tmp:
        repo = make_app_repo(Path(tmp) / "app", {"v1.1.1": {"latency_ms": 1.0},
                                                 "v1.2.0": {"latency_ms": 1.0}})
        write_settings(repo)
        ctx = open_context(repo, {})
        results: dict[str, list[dict[str, Any]]] = {"warm": [], "cold": []}
        try:
            for _ in range(rounds):
                for case in ("warm", "cold"):
                    results[case].append(one_round(ctx, case == "cold", args.rate,
                                                   Path(tmp)))
        finally:
            production.teardown(ctx)
            ctx.close()
    report(results, args.rate)
    print(f"{before} before the run, {load_average()} after it ({os.cpu_count()} cores)")


def report(results: dict[str, list[dict[str, Any]]], rate: float) -> None:
    load = "wrk" if shutil.which("wrk") else "hotfix's asyncio load generator (no wrk)"
    print(f"hotfix rollback under {rate:g} req/s ({load}) on loopback, builtin router, "
          f"{len(results['warm'])} round(s) per case (medians)")
    print(f"{'case':<6}{'to 100 %':>10}{'service':>10}{'command':>10}{'status':>10}"
          f"{'sent':>8}{'req/s':>8}{'failed':>8}")
    for case, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        failed = sum(r["failed"] for r in rows)
        print(f"{case:<6}{med['to_100']:>9.2f}s{med['service']:>9.2f}s{med['command']:>9.2f}s"
              f"{med['floor']:>9.2f}s{med['sent']:>8.0f}{med['rate']:>8.0f}{failed:>8}")
    warm = statistics.median(r["to_100"] for r in results["warm"])
    floor = statistics.median(r["floor"] for r in results["warm"])
    print(f"target: warm < 2 s from the command: {'met' if warm < 2.0 else 'MISSED'} "
          f"({warm:.2f} s, of which ~{floor:.2f} s is a fresh hotfix process starting: "
          "`hotfix status` under the same load); failed requests: "
          + str(sum(r["failed"] for rows in results.values() for r in rows)))


if __name__ == "__main__":
    main()
