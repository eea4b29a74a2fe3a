"""Benchmark: the CPU time ``hotfix`` takes to start, against a bare Typer app.

    python bench/startup_bench.py              # 21 paired rounds
    python bench/startup_bench.py --quick      # 7 rounds
    python bench/startup_bench.py --rounds 41

Writes, in a temporary directory, a bare Typer app with one command and a git repository
holding one hotfix (HF-1, opened untimed). Then, ROUNDS times, runs each of these as a fresh
process in turn, the order shuffled every round so machine load falls on all alike:

- ``hotfix --help``       beside the bare app's ``--help``;
- ``hotfix status HF-1``  beside the bare app running its command.

The figure is the CPU time of the child (user + system, its git children included), read
from ``resource.getrusage(RUSAGE_CHILDREN)`` around each run: steadier than wall time on a
shared machine. Prints the medians, the median of the paired ratios, and the targets:
``hotfix --help`` ≤ 1.5× and ``hotfix status HF-1`` ≤ 3× the bare command. Then, untimed,
what each command has imported when it exits (``sys.modules``). Never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

MODULES_AT_EXIT = '''\
import atexit, json, runpy, sys

listing, target = sys.argv[1], sys.argv[2]
atexit.register(lambda: open(listing, "w").write(json.dumps(sorted(sys.modules))))
if target == "-m":
    sys.argv = [sys.argv[3], *sys.argv[4:]]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[2:]
    runpy.run_path(target, run_name="__main__")
'''

BARE_APP = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = typer.Argument("world", help="Who to greet.")) -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


app()
'''

WHO = "bench@example.com"


@dataclass
class Case:
    """One command line, run from ``cwd``, and the CPU seconds of each run."""

    name: str
    argv: list[str]
    cwd: Path
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Pair:
    hotfix: Case
    bare: Case
    target: float


def clean_env() -> dict[str, str]:
    """The caller's environment without hotfix's or git's variables, and with byte-code
    caching on (as a user has it), so no run compiles hotfix's modules from source."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HOTFIX_", "GIT_")) and k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "COLUMNS": "100", "NO_COLOR": "1"}


def hotfix_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "hotfix", *args]


def make_repo(root: Path, env: dict[str, str]) -> Path:
    """A git repository with one commit and one hotfix, HF-1 (untimed)."""
    repo = root / "repo"
    repo.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.email", WHO],
                 ["config", "user.name", "Bench"],
                 ["commit", "-q", "--allow-empty", "-m", "start"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    subprocess.run(hotfix_argv("open", "Checkout returns 500", "--no-input", "--as", WHO),
                   cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    return repo


def run_once(case: Case, env: dict[str, str]) -> None:
    """Run ``case`` once; add its CPU and wall seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(case.argv, cwd=case.cwd, env=env, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{case.name} exited {done.returncode}:\n{done.stderr}")
    case.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    case.wall.append(wall)


def measure(cases: list[Case], rounds: int, env: dict[str, str]) -> None:
    for case in cases:  # warm-up: byte-code caches, the page cache
        run_once(case, env)
        case.cpu.clear()
        case.wall.clear()
    order = list(cases)
    for _ in range(rounds):
        random.shuffle(order)
        for case in order:
            run_once(case, env)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def report(pairs: list[Pair]) -> None:
    print(f"{'command':<26}{'CPU median':>12}{'wall median':>13}")
    for pair in pairs:
        for case in (pair.bare, pair.hotfix):
            print(f"{case.name:<26}{ms(statistics.median(case.cpu)):>12}"
                  f"{ms(statistics.median(case.wall)):>13}")
    print()
    for pair in pairs:
        paired = statistics.median(h / b for h, b in zip(pair.hotfix.cpu, pair.bare.cpu,
                                                          strict=True))
        of_medians = statistics.median(pair.hotfix.cpu) / statistics.median(pair.bare.cpu)
        verdict = "met" if paired <= pair.target else "NOT met"
        print(f"{pair.hotfix.name:<26} {paired:4.2f}× the bare app (paired median; "
              f"{of_medians:4.2f}× of the medians), target ≤ {pair.target:g}×: {verdict}")


def imports(case: Case, env: dict[str, str], wrapper: Path) -> str:
    """What ``case`` imports: module count, hotfix's modules, and which heavy ones."""
    listing = wrapper.with_suffix(".json")
    subprocess.run([case.argv[0], str(wrapper), str(listing), *case.argv[1:]], cwd=case.cwd,
                   env=env, capture_output=True, check=True)
    names = json.loads(listing.read_text(encoding="utf-8"))
    ours = sum(1 for n in names if n.startswith("hotfix"))
    heavy = [m for m in ("sqlalchemy", "sqlalchemy.orm", "alembic", "numpy", "scipy",
                         "httpx", "coverage", "pytest") if m in names]
    return (f"{case.name:<26} {len(names):4} modules, {ours:3} of hotfix; "
            f"heavy: {', '.join(heavy) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="7 rounds")
    parser.add_argument("--rounds", type=int, default=None, help="paired rounds (default 21)")
    args = parser.parse_args()
    rounds = args.rounds or (7 if args.quick else 21)
    env = clean_env()
    with tempfile.TemporaryDirectory(prefix="hotfix-startup-") as tmp:
        root = Path(tmp)
        (root / "bare.py").write_text(BARE_APP, encoding="utf-8")
        (root / "modules.py").write_text(MODULES_AT_EXIT, encoding="utf-8")
        repo = make_repo(root, env)
        bare = [sys.executable, str(root / "bare.py")]
        pairs = [
            Pair(Case("hotfix --help", hotfix_argv("--help"), repo),
                 Case("bare typer --help", [*bare, "--help"], repo), 1.5),
            Pair(Case("hotfix status HF-1", hotfix_argv("status", "HF-1"), repo),
                 Case("bare typer command", [*bare, "you"], repo), 3.0),
        ]
        cases = [case for pair in pairs for case in (pair.hotfix, pair.bare)]
        print(f"{rounds} rounds of {len(cases)} commands, order shuffled per round; "
              f"CPU = user + system of the child and its children\n")
        measure(cases, rounds, env)
        report(pairs)
        print()
        for case in cases:
            print(imports(case, env, root / "modules.py"))


if __name__ == "__main__":
    main()
