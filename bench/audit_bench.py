"""``hotfix audit`` against ``git cherry`` on a generated history, with recall on the truth.

    python bench/audit_bench.py            # 50,000 commits on main, 5 lines x 500
    python bench/audit_bench.py --quick    # 5,000 on main, 3 lines x 100

The repository is generated once with ``git fast-import`` (bench/audit_repo.py) and cached
under bench/out/. Times are medians of ``--runs`` runs, each a fresh process exactly as a
user runs it (``python -m hotfix audit --json``), against ``git cherry main release/X.Y``
run for every line in the same session. *Cold*: an empty database each run (no cached
commit facts or patch-ids). *Warm*: the database the cold run left. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from audit_repo import build  # noqa: E402  (a sibling script, not a package)

SIZES = {"full": (50_000, 5, 500), "quick": (5_000, 3, 100)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a small repository")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the repository")
    args = parser.parse_args()
    n_main, n_lines, per_line = SIZES["quick" if args.quick else "full"]
    repo, truth = repository(n_main, n_lines, per_line, rebuild=args.rebuild)
    lines = sorted(truth["lines"])
    print(f"repository: {repo} ({n_main:,} commits on main, {n_lines} lines x {per_line})")
    for line in lines:  # warm the OS page cache for everyone
        git_cherry(repo, line)
    cherry = [time_cherry(repo, lines) for _ in range(args.runs)]
    db = repo.parent / "bench.db"
    cold, warm = [], []
    for _ in range(args.runs):
        db.unlink(missing_ok=True)
        seconds, report = run_audit(repo, db, lines)
        cold.append(seconds)
    for _ in range(args.runs):
        seconds, report = run_audit(repo, db, lines)
        warm.append(seconds)
    start = statistics.median(time_startup(repo) for _ in range(args.runs))
    print_times(statistics.median(cherry), statistics.median(cold), statistics.median(warm),
                start)
    print_recall(truth, report, {line: git_cherry(repo, line) for line in lines})


def repository(n_main: int, n_lines: int, per_line: int, *,
               rebuild: bool) -> tuple[Path, dict[str, Any]]:
    repo = HERE / "out" / f"audit-{n_main}-{n_lines}-{per_line}" / "repo"
    truth_file = repo.parent / "repo.truth.json"
    if rebuild or not truth_file.exists():
        shutil.rmtree(repo.parent, ignore_errors=True)
        started = time.perf_counter()
        build(repo, n_main, n_lines, per_line)
        print(f"generated in {time.perf_counter() - started:.1f}s")
    return repo, json.loads(truth_file.read_text())


def git_cherry(repo: Path, line: str) -> dict[str, str]:
    out = subprocess.run(["git", "cherry", "main", f"release/{line}"], cwd=repo, check=True,
                         capture_output=True, text=True).stdout
    return {row[2:]: row[0] for row in out.splitlines()}


def time_cherry(repo: Path, lines: list[str]) -> float:
    started = time.perf_counter()
    for line in lines:
        git_cherry(repo, line)
    return time.perf_counter() - started


def _env(db: Path) -> dict[str, str]:
    src = str(HERE.parent / "src")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{src}:{path}" if path else src,
            "HOTFIX_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "120"}


def run_audit(repo: Path, db: Path, lines: list[str]) -> tuple[float, list[dict[str, Any]]]:
    """``hotfix audit --json --lines …``: the lines are named, since their releases (2020)
    are older than ``lines.support_months`` and so not supported by default."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hotfix", "audit", "--json",
                           "--lines", ",".join(lines)], cwd=repo,
                          env=_env(db), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"hotfix audit failed ({proc.returncode}): {proc.stderr}")
    return seconds, json.loads(proc.stdout)


def time_startup(repo: Path) -> float:
    """Python start-up plus importing the CLI: a floor no audit run can go under."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import hotfix.cli.main"], cwd=repo,
                   env=_env(repo.parent / "unused.db"), check=True)
    return time.perf_counter() - started


def print_times(cherry: float, cold: float, warm: float, start: float) -> None:
    print("\ntime (median)                      seconds   vs git cherry   target")
    print(f"  git cherry, every line           {cherry:7.2f}")
    print(f"  hotfix audit, cold cache         {cold:7.2f}   {cold / cherry:10.2f}x   ≤ 1.5x")
    print(f"  hotfix audit, warm cache         {warm:7.2f}   {warm / cherry:10.2f}x   ≤ 0.3x")
    print(f"  (python + import hotfix.cli      {start:7.2f}   {start / cherry:10.2f}x   "
          "included above)")


def print_recall(truth: dict[str, Any], report: list[dict[str, Any]],
                 cherry: dict[str, dict[str, str]]) -> None:
    got = {c["sha"]: c for line in report for c in line["commits"]}
    rows: Counter[tuple[str, str]] = Counter()
    exact = ports = cherry_found = release_missing = cherry_release_plus = 0
    for name, line in truth["lines"].items():
        for want in line["commits"]:
            have = got.get(want["sha"], {"status": "absent", "match": None})
            rows[(want["kind"], have["status"])] += 1
            if want["status"] == "in_mainline":
                ports += 1
                exact += bool(have["match"] and have["match"]["sha"] == want["match"])
                cherry_found += cherry[name].get(want["sha"]) == "-"
            if want["status"] == "release_only":
                release_missing += have["status"] == "missing"
                cherry_release_plus += cherry[name].get(want["sha"]) == "+"
    print("\nground truth kind -> audit status: count")
    for (kind, status), count in sorted(rows.items()):
        print(f"  {kind:<10} -> {status:<13} {count:6d}")
    print(f"\nrecall on backports: {exact}/{ports} matched to the right mainline commit "
          f"({exact / max(ports, 1):.1%}); git cherry: {cherry_found}/{ports} "
          f"({cherry_found / max(ports, 1):.1%})")
    print(f"release-only commits called missing: {release_missing} "
          f"(git cherry lists {cherry_release_plus} of them as not upstream)")


if __name__ == "__main__":
    main()
