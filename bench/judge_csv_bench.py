"""`hotfix judge` on a million-row CSV: time and memory against numpy reading it at once.

    python bench/judge_csv_bench.py            # 1,000,000 rows, median of 5
    python bench/judge_csv_bench.py --quick    # 200,000 rows, once

Writes a seeded request log (t, version, ok, latency_ms; 25% canary, 1% errors, 1% of
latencies empty) to a temporary directory, then runs each reader in its own process (so
that each peak memory is its own) and prints wall and CPU seconds and peak RSS:

- numpy floor, all columns: ``np.loadtxt`` of the whole file at once into a record array
  (t as a number, version and ok as bytes, latency_ms as bytes, since numpy reads no empty
  number), nothing checked;
- numpy floor, numeric columns only (t and ok);
- hotfix's reader (``read_stream``: the file streamed in pieces, each checked and converted
  as arrays) and ``hotfix judge`` end to end (read, then the judge after every row);
- the careful reader alone (every piece through the path used for unusual pieces).

The cases are interleaved, run after run, so that a change of load hits them alike. Ratios
are of CPU seconds (the machine is shared; wall time is printed too), each figure the median
of the runs; memory is peak RSS, imports included (the imports alone are printed too).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import numpy as np
what, path = sys.argv[1], Path(sys.argv[2])
from hotfix.adapters.rollout import judge_csv
from hotfix.domain.judge.settings import JudgeSettings
from hotfix.services.rollout.judge_files import judge_stream
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = time.perf_counter(), time.process_time()  # cpu: so far, start-up and imports
if what == "floor_all":
    row = [("t", "f8"), ("version", "S9"), ("ok", "S2"), ("latency_ms", "S40")]
    np.loadtxt(path, delimiter=",", skiprows=1, comments=None, dtype=np.dtype(row))
elif what == "floor_numeric":
    np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 2), dtype=np.float64)
elif what == "reader":
    judge_csv.read_stream(path)
elif what == "careful":
    judge_csv._fast = lambda piece, scratch=None: None
    judge_csv.read_stream(path)
elif what == "judge":
    judge_stream(judge_csv.read_stream(path), JudgeSettings(), None)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak_mib": usage.ru_maxrss / 1024, "imports_mib": base / 1024,
                  "imports_cpu": cpu}))
"""

CASES = [("floor_all", "numpy floor, all columns at once"),
         ("floor_numeric", "numpy floor, numeric columns only"),
         ("reader", "hotfix reader (read_stream)"),
         ("judge", "hotfix judge, end to end"),
         ("careful", "careful reader (for unusual pieces)")]
TODAY_MIB = 482  # issue 16: `hotfix judge` on a million rows before the streaming reader


def write_log(path: Path, rows: int) -> None:
    rng = np.random.default_rng(20240601)
    t = np.cumsum(rng.exponential(0.003, rows))
    canary = rng.random(rows) < 0.25
    ok = rng.random(rows) > 0.01
    latency = np.exp(np.log(50.0) + 0.5 * rng.standard_normal(rows))
    empty = rng.random(rows) < 0.01
    with path.open("w", encoding="ascii") as out:
        out.write("t,version,ok,latency_ms\n")
        for i in range(rows):
            ms = "" if empty[i] else f"{latency[i]:.3f}"
            out.write(f"{t[i]:.6f},{'canary' if canary[i] else 'baseline'},{int(ok[i])},{ms}\n")


def measure(path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Each case ``repeat`` times, interleaved; of each figure, the median of the runs."""
    runs: dict[str, list[dict[str, float]]] = {what: [] for what, _label in CASES}
    for _ in range(repeat):
        for what, _label in CASES:
            out = subprocess.run([sys.executable, "-c", CHILD, what, str(path)], check=True,
                                 capture_output=True, text=True).stdout
            runs[what].append(json.loads(out))
    return {what: {key: statistics.median(run[key] for run in got) for key in got[0]}
            for what, got in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (the median is kept)")
    parser.add_argument("--quick", action="store_true", help="200,000 rows, once")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 200_000, 1
    with tempfile.TemporaryDirectory(prefix="judge-csv-bench-") as tmp:
        path = Path(tmp) / "requests.csv"
        write_log(path, args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB; "
              f"median of {args.repeat}")
        got = measure(path, args.repeat)
    floor = got["floor_all"]
    print(f"  {'':<40} {'cpu s':>7} {'wall s':>7} {'peak MiB':>9} {'× floor cpu':>12}")
    for what, label in CASES:
        g = got[what]
        print(f"  {label:<40} {g['cpu']:>7.2f} {g['wall']:>7.2f} {g['peak_mib']:>9.0f} "
              f"{g['cpu'] / floor['cpu']:>12.2f}")
    judge, reader = got["judge"], got["reader"]
    print(f"\n  imports alone (python, numpy, hotfix): {floor['imports_mib']:.0f} MiB, "
          f"{floor['imports_cpu']:.2f} s CPU (in no case's figures)")
    print(f"reading: {reader['cpu'] / floor['cpu']:.2f}× the all-columns floor's CPU "
          f"(target ≤ 1.5); hotfix judge end to end {judge['cpu'] / floor['cpu']:.2f}×")
    print(f"memory: hotfix judge peaks at {judge['peak_mib']:.0f} MiB = "
          f"{judge['peak_mib'] / TODAY_MIB:.2f}× the issue's {TODAY_MIB} MiB (target ≤ 0.5); "
          f"the reader {reader['peak_mib']:.0f} MiB, the floor {floor['peak_mib']:.0f} MiB")

if __name__ == "__main__":
    main()
