"""`hotfix demo` on a busy machine: does the judge promote the good hotfix and roll back
the bad one, every time, with CPU-bound processes beside it, and how long after the least
the rollout plan allows?

Starts HOGS processes that spin a core each (``while True: pass``, normal priority), then
runs ``python -m hotfix demo --json`` RUNS times, one after the other, each in a fresh
temporary directory, as a newcomer runs it. Per run it reads the demo's own deploy output:

- HF-1 (a fix taking checkout from ~33 % errors to 0 %) must be *promoted*, and HF-5 (1
  checkout in 33 fails) *rolled back*; a run passes when the command exits 0 and both did;
- the promotion's time ("decided after N requests, T s (traffic: M requests sent in S s)")
  against the plan's minimum at the rate the traffic reached: each step's bake time or the
  time its minimum canary requests take at that step's weight, whichever is longer, summed.

Target (issue 16): 10 of 10 runs pass with two CPU-bound processes beside the demo, and the
good canary is promoted within the plan's minimum plus at most 2x (read here, as in the
judge bench, as decided <= 2x the minimum). Bounded: each run has a timeout and the hogs are
killed at the end, whatever happens.

    python bench/demo_bench.py [--runs 10] [--hogs 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from hotfix.demo.walkthrough import demo_settings  # noqa: E402

DECIDED = re.compile(r"decided after (\d+) requests, ([\d.]+)s \(traffic: (\d+) requests sent "
                     r"in ([\d.]+)s\)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes beside it")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per demo run")
    parser.add_argument("--quick", action="store_true", help="3 runs")
    opts = parser.parse_args()
    runs = 3 if opts.quick else opts.runs
    print(f"load average {_load()} before; {opts.hogs} CPU hog(s), {runs} demo run(s), "
          f"{os.cpu_count()} cores", flush=True)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(opts.hogs)]
    rows: list[dict[str, Any]] = []
    try:
        time.sleep(1.0)
        for n in range(1, runs + 1):
            row = run_once(opts.timeout)
            rows.append(row)
            print(f"run {n:2}: {_describe(row)}; load average {_load()}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    passed = sum(r["passed"] for r in rows)
    ratios = [r["ratio"] for r in rows if r.get("ratio") is not None]
    print(f"\npassed {passed} of {len(rows)} (target: all, with {opts.hogs} hogs)")
    if ratios:
        print(f"promotion / plan minimum: median {statistics.median(ratios):.2f}x, worst "
              f"{max(ratios):.2f}x, {sum(r <= 2 for r in ratios)} of {len(ratios)} <= 2x")
    return 0


def run_once(timeout: float) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTFIX_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp:
        started = time.monotonic()
        try:
            done = subprocess.run([sys.executable, "-m", "hotfix", "demo", "--json"], cwd=tmp,
                                  env=env, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return {"passed": False, "why": f"timed out after {timeout:.0f} s"}
        wall = time.monotonic() - started
    row: dict[str, Any] = {"rc": done.returncode, "wall": wall}
    try:
        steps = json.loads(done.stdout)["steps"]
    except (ValueError, KeyError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {**row, "passed": False, "why": "no JSON: " + " | ".join(tail)}
    deploys = [s for s in steps if "hotfix deploy" in s["title"]]
    outcomes = [_outcome(s["lines"]) for s in deploys]
    row["outcomes"] = outcomes
    good = next((s for s in deploys if "HF-1" in s["title"]), None)
    if good is not None:
        row.update(_timing(good["lines"]))
    row["passed"] = done.returncode == 0 and outcomes == ["promoted", "rolled_back"]
    if not row["passed"]:
        row["why"] = f"exit {done.returncode}, deploys {outcomes}"
    return row


def _outcome(lines: list[str]) -> str:
    for line in lines:
        head = line.split(":", 1)[0]
        if head in ("promoted", "rolled_back", "inconclusive", "paused", "aborted"):
            return head
    return "?"


def _timing(lines: list[str]) -> dict[str, Any]:
    for line in lines:
        found = DECIDED.search(line)
        if found:
            requests, seconds = int(found.group(1)), float(found.group(2))
            rate = int(found.group(3)) / float(found.group(4))
            minimum = plan_minimum(rate)
            return {"requests": requests, "seconds": seconds, "rate": rate,
                    "minimum": minimum, "ratio": seconds / minimum}
    return {}


def plan_minimum(rate: float) -> float:
    """The least time the demo's plan allows at ``rate`` requests/s: per step before the
    last, its bake time or its minimum canary requests at its weight, whichever is longer."""
    steps = demo_settings()["rollout.steps"]
    return sum(max(float(s.get("bake_seconds", 0)),
                   float(s.get("min_requests", 0)) / (rate * s["weight"] / 100))
               for s in steps[:-1])


def _describe(row: dict[str, Any]) -> str:
    verdict = "pass" if row["passed"] else f"FAIL ({row.get('why')})"
    if "ratio" not in row:
        return verdict
    return (f"{verdict}; promoted after {row['requests']} requests, {row['seconds']:.1f} s at "
            f"{row['rate']:.0f} req/s: {row['ratio']:.2f}x the plan's minimum "
            f"{row['minimum']:.1f} s; whole demo {row['wall']:.0f} s")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
