"""Impact analysis on real fixes of real projects, beside pytest-testmon (issue 16).

    python bench/impact_fixes_bench.py [--quick] [--project NAME] [--cases N]
    python bench/impact_fixes_bench.py --speed      # warm static selection, ~1,100 files

The cases are bench/impact_fix_cases.toml (written before the first run). For each fix:
the base is the fix commit, the head reverts its source and keeps its tests. At the base, a
coverage map is recorded (hotfix's recorder, in the project's own venv) and testmon's data
too; then each tool selects for base..head: hotfix with the map, hotfix static (no map), the
plain import closure, and testmon (``pytest --testmon`` at the head: the tests it runs). A
tool finds the bug when it selects a test that fails at the head and passed at the base.
A case that cannot be set up or run, or whose recording is refused, is a miss for the
tools that needed it. Prints a per-project table: recall, median selected share.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

import fix_cases as fc  # noqa: E402

from hotfix.adapters.clock import SystemClock  # noqa: E402
from hotfix.adapters.git.repo import Git  # noqa: E402
from hotfix.adapters.testing import junit, recorder  # noqa: E402
from hotfix.config import load_config  # noqa: E402
from hotfix.domain.selection.select import select  # noqa: E402
from hotfix.domain.selection.static_graph import closure  # noqa: E402
from hotfix.errors import HotfixError  # noqa: E402
from hotfix.services.checks.coverage_map import refuse_failed  # noqa: E402
from hotfix.services.checks.impact import _analysed, impact, impact_rules, static_index  # noqa: E402

TOOLS = ("map", "static", "closure", "testmon")
PYTEST = ["-p", "no:randomly", "-q", "-o", "junit_family=xunit1"]
TIMEOUT = 900.0  # one pytest run


@dataclass
class Case:
    project: str
    commit: str
    total: int = 0
    revealing: set[str] = field(default_factory=set)  # fail at the head, passed at the base
    chosen: dict[str, set[str] | None] = field(default_factory=dict)  # None: could not run
    found: dict[str, bool] = field(default_factory=dict)
    note: str = ""


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="2 small projects, 2 fixes each")
    args.add_argument("--project", action="append", help="only these projects")
    args.add_argument("--cases", type=int, default=0, help="at most N fixes per project")
    args.add_argument("--budget", type=float, default=75.0,
                      help="minutes; fixes not started by then are misses (not run)")
    args.add_argument("--speed", action="store_true", help="warm static selection time only")
    args.add_argument("--speed-child", type=Path, help=argparse.SUPPRESS)
    opts = args.parse_args()
    if opts.speed_child:
        wall, _, cpu = _timed_selection(opts.speed_child)
        print(wall, cpu)
        return
    if opts.speed:
        speed()
        return
    projects = fc.load()
    if opts.quick:
        projects, opts.cases = [p for p in projects if p.name in ("six", "tabulate")], 2
    if opts.project:
        projects = [p for p in projects if p.name in opts.project]
    start = time.perf_counter()
    rows = run_all(projects, opts.cases, start + opts.budget * 60)
    report(rows, time.perf_counter() - start)


def run_all(projects: list[fc.Project], limit: int, deadline: float) -> list[Case]:
    """Every project set up, then its fixes taken round-robin (the first fix of each project,
    then the second, …) so that a time budget cuts every project alike."""
    ready: dict[str, tuple[Path, Path] | str] = {}
    for project in projects:
        print(f"== {project.name} ({project.repo}, CPython {project.python})", flush=True)
        try:
            repo = fc.clone(project)
            ready[project.name] = (repo, fc.venv(project, repo))
        except (fc.CannotRun, subprocess.TimeoutExpired) as exc:
            ready[project.name] = f"cannot set up: {exc}"
            print(f"   {ready[project.name]}", flush=True)
    queue = [(i, p) for p in projects for i in range(min(limit or 99, len(p.cases)))]
    queue.sort(key=lambda item: item[0])
    rows: list[Case] = []
    for index, project in queue:
        case = Case(project.name, project.cases[index])
        rows.append(case)
        setup = ready[project.name]
        if isinstance(setup, str):
            _cannot(case, setup)
        elif time.perf_counter() > deadline:
            _cannot(case, "not run: the time budget (--budget) was spent")
        else:
            try:
                run_case(project, *setup, index, case)
            except (fc.CannotRun, subprocess.TimeoutExpired, HotfixError) as exc:
                _cannot(case, str(exc).splitlines()[0][:200])
        _print_case(case)
    return sorted(rows, key=lambda r: [p.name for p in projects].index(r.project))


def _cannot(case: Case, why: str) -> None:
    case.note = case.note or why
    for tool in TOOLS:
        case.chosen.setdefault(tool, None)
        case.found.setdefault(tool, False)


def run_case(project: fc.Project, repo: Path, python: Path, index: int, case: Case) -> None:
    base, head, _ = fc.make_case(project, repo, index, case.commit)
    env = _env(project, repo)
    fc.git(repo, "checkout", "-q", "-f", base)
    passed_at_base = _record(repo, python, env, case, base)
    fc.shutil_rm(repo / ".testmondata")
    tm_base = _pytest(repo, python, env, ["--testmon"])
    if passed_at_base is None:  # no map: the base's outcomes from testmon's full run
        passed_at_base = {c.nodeid for c in tm_base if c.outcome == "passed"}
    fc.git(repo, "checkout", "-q", "-f", head)
    at_head = _pytest(repo, python, env, ["-p", "no:testmon"])
    collected = [c.nodeid for c in at_head]
    case.total = len(collected)
    failing = {c.nodeid for c in at_head if c.outcome in ("failed", "error")}
    case.revealing = {t for t in failing if t in passed_at_base or _module_level(t)}
    case.chosen["testmon"] = _testmon_selects(repo, python, env, collected)
    _select(repo, base, head, case, collected)
    for tool in TOOLS:
        chosen = case.chosen.get(tool)
        case.found[tool] = bool(chosen) and any(_covers(chosen or set(), t)
                                                 for t in case.revealing)
    if not case.revealing:
        case.note = "no test fails at the head: the fix's own tests do not detect the revert"


def _env(project: fc.Project, repo: Path) -> dict[str, str]:
    paths = os.pathsep.join(str(repo / r) if r else str(repo) for r in project.roots)
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTEST_ADDOPTS")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "PYTHONPATH": paths,
            "PYTHONDONTWRITEBYTECODE": "1"}


def _record(repo: Path, python: Path, env: dict[str, str], case: Case,
            base: str) -> set[str] | None:
    """Record the map at the base; the tests that passed there (None: refused)."""
    sha = fc.git(repo, "rev-parse", base)
    shutil.rmtree(repo / ".hotfix" / "impact", ignore_errors=True)
    recording = recorder.run(home=repo, worktree=repo, commit=sha, python=python, env=env,
                             timeout=TIMEOUT, on_line=lambda _: None)
    try:
        refuse_failed(recording, base, load_config(repo))
    except HotfixError as exc:
        case.chosen["map"] = None
        case.note = "recording refused: " + str(exc).splitlines()[0][:160]
        return None
    recorder.save(recording, repo, sha)
    return {t for t, (_, outcome) in recording.tests.items() if outcome == "passed"}


def _pytest(repo: Path, python: Path, env: dict[str, str], extra: list[str]) -> list[junit.Case]:
    out = repo.parent / "junit.xml"
    out.unlink(missing_ok=True)
    subprocess.run([str(python), "-m", "pytest", *PYTEST, f"--junitxml={out}", *extra],
                   cwd=repo, env=env, capture_output=True, text=True, check=False,
                   timeout=TIMEOUT)
    return junit.parse_file(out)


def _testmon_selects(repo: Path, python: Path, env: dict[str, str],
                     collected: list[str]) -> set[str] | None:
    """The tests ``pytest --testmon`` would run at the head (its collection, not run)."""
    proc = subprocess.run([str(python), "-m", "pytest", "-p", "no:randomly", "-q",
                           "--collect-only", "--testmon"], cwd=repo, env=env,
                          capture_output=True, text=True, check=False, timeout=TIMEOUT)
    listed = {line.strip() for line in proc.stdout.splitlines() if "::" in line}
    if proc.returncode not in (0, 5):
        return None
    return {t for t in collected if t in listed}


def _select(repo: Path, base: str, head: str, case: Case, collected: list[str]) -> None:
    git_repo, cfg = Git(repo), load_config(repo)
    if case.chosen.get("map", "") is not None:
        report = impact(git_repo, cfg, clock=SystemClock(), base=base, head=head)
        if report.selection.strategy == "coverage":
            case.chosen["map"] = _expand(report.selection.selected, collected)
        else:
            case.chosen["map"] = None
    rules = impact_rules(cfg)
    old, new = git_repo.require_commit(base), git_repo.require_commit(head)
    changes = git_repo.diff(old, new)
    index = static_index(git_repo, new, rules, changes)
    heads = _analysed(git_repo, new, [c.path for c in changes if c.status != "D"], rules)
    olds = _analysed(git_repo, old, [c.old_path for c in changes if c.old_path], rules)
    static = select(changes, rules, head=heads, old=olds, coverage=None, static=lambda: index)
    case.chosen["static"] = _expand(static.selected, collected)
    wide = closure(index, [c.path for c in changes if c.path.endswith(".py")])
    case.chosen["closure"] = _expand(wide, collected)


def _expand(selected: object, collected: list[str]) -> set[str]:
    """Selected ids as pytest's collected ids (``test_x`` → each ``test_x[...]``)."""
    chosen = set(selected)  # type: ignore[call-overload]
    return {t for t in collected if t in chosen or t.split("[", 1)[0] in chosen}


def _module_level(test: str) -> bool:
    path, _, tail = test.partition("::")
    return tail == path.removesuffix(".py").replace("/", ".") or not tail


def _covers(chosen: set[str], test: str) -> bool:
    if _module_level(test):  # the module failed to import at the head
        path = test.partition("::")[0]
        return any(s.startswith(path + "::") for s in chosen)
    return test in chosen


def _share(case: Case, tool: str) -> float | None:
    chosen = case.chosen.get(tool)
    return None if chosen is None or not case.total else len(chosen) / case.total


def _print_case(case: Case) -> None:
    cells = "  ".join(f"{t} {'found' if case.found.get(t) else 'MISS '} "
                      f"{_fmt(_share(case, t))}" for t in TOOLS)
    print(f"   {case.project:<10} {case.commit[:10]} suite {case.total:>5} "
          f"failing {len(case.revealing):>3}  "
          f"{cells}{'  — ' + case.note if case.note else ''}", flush=True)


def _fmt(share: float | None) -> str:
    return "   n/a" if share is None else f"{share:6.1%}"


def report(rows: list[Case], seconds: float) -> None:
    print(f"\nper project: recall (fixes found / fixes) and median share of the suite "
          f"selected ({len(rows)} fixes, {seconds / 60:.1f} min)")
    head = f"{'project':<12}{'fixes':>6}" + "".join(f"{t:>22}" for t in TOOLS)
    print(head + "   map ≤ ½ testmon   static ≤ testmon")
    by_project: dict[str, list[Case]] = {}
    for row in rows:
        by_project.setdefault(row.project, []).append(row)
    for name, cases in [*by_project.items(), ("all", rows)]:
        medians = {t: _median(cases, t) for t in TOOLS}
        cells = "".join(f"{_recall(cases, t):>12} {_fmt(medians[t]):>9}" for t in TOOLS)
        tm = medians["testmon"]
        half = _ok(medians["map"], tm, 0.5)
        same = _ok(medians["static"], tm, 1.0)
        print(f"{name:<12}{len(cases):>6}{cells}   {half:^15}   {same:^16}")
    undetected = [r for r in rows if not r.revealing]
    print(f"\n{len(undetected)} of {len(rows)} fixes had no test failing at the head (counted "
          "as misses for every tool above):")
    for row in undetected:
        print(f"  {row.project} {row.commit[:10]}: {row.note}")


def _recall(cases: list[Case], tool: str) -> str:
    found = sum(c.found.get(tool, False) for c in cases)
    return f"{found}/{len(cases)} {found / len(cases):4.0%}" if cases else "-"


def _median(cases: list[Case], tool: str) -> float | None:
    shares = [s for c in cases if (s := _share(c, tool)) is not None]
    return statistics.median(shares) if shares else None


def _ok(value: float | None, peer: float | None, factor: float) -> str:
    if value is None or peer is None:
        return "n/a"
    return "yes" if value <= factor * peer else "no"


def speed() -> None:
    """Cold and warm static selection on a ~1,100-file repository (twisted's snapshot): warm
    is a new process that finds the parse cache on disk."""
    project = fc.Project("twisted", "twisted/twisted", "HEAD", "3.11", (), False, ("src",),
                         "^src/", "/test/", ())
    repo = fc.clone(project)
    shutil.rmtree(repo / ".hotfix" / "impact", ignore_errors=True)
    files = len(Git(repo).python_files("HEAD"))
    cold, sel, _ = _timed_selection(repo)
    warm, cpu = [], []
    for _ in range(5):
        child = subprocess.run([sys.executable, __file__, "--speed-child", str(repo)],
                               capture_output=True, text=True, check=True)
        wall_s, cpu_s = child.stdout.split()
        warm.append(float(wall_s))
        cpu.append(float(cpu_s))
    print(f"static selection on twisted ({files} Python files), HEAD~1..HEAD: "
          f"{len(sel.selected)} of {sel.total_tests} tests")
    print(f"  cold (parses every file): {cold:.2f} s; warm (a new process, parse cache by "
          f"blob id): median {statistics.median(warm):.2f} s wall, "
          f"{statistics.median(cpu):.2f} s CPU (target: under 1 s); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _timed_selection(repo: Path) -> tuple[float, Any, float]:
    start, cpu = time.perf_counter(), time.process_time()
    sel = impact(Git(repo), load_config(repo), clock=SystemClock(), base="HEAD~1",
                 head="HEAD").selection
    return time.perf_counter() - start, sel, time.process_time() - cpu


if __name__ == "__main__":
    main()
