"""Impact analysis on real projects and real fixes: recall, selected share, speed.

    python bench/impact_bench.py [--quick] [--fixes N]

For each project (PyPI sdists of two consecutive releases, cached in bench/out/sdists), a
git repo is built from the older release, a coverage map is recorded on it, and each real
fix found between the releases (see sdist_fixes.py) becomes a branch. For every fix:
the tests that fail before it (the new tests run on the old code, minus tests already
failing there), and the selections of hotfix (coverage map), hotfix (static, no map), the
plain import closure and pytest-testmon, with recall of the failing tests and share of the
suite; selection time with a map; wall time of targeted + full runs against full alone.
Never asserts: prints figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hotfix.adapters.clock import SystemClock

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

from sdist_fixes import Fix, apply, download, find_fixes, unpack  # noqa: E402

from hotfix.adapters.git.repo import Git  # noqa: E402
from hotfix.adapters.testing import junit  # noqa: E402
from hotfix.config import load_config  # noqa: E402
from hotfix.domain.selection.select import select  # noqa: E402
from hotfix.domain.selection.static_graph import closure  # noqa: E402
from hotfix.services.checks.coverage_map import record_map  # noqa: E402
from hotfix.services.checks.impact import _analysed, impact, impact_rules, static_index  # noqa: E402

OUT = HERE / "out"  # downloads (git-ignored)
WORK = Path(tempfile.gettempdir()) / "hotfix-impact-bench"  # repos: outside any other project
PROJECTS = [  # name, old, new, source roots for imports
    ("more-itertools", "more-itertools==10.1.0", "more-itertools==10.2.0", [""]),
    ("cachetools", "cachetools==5.4.0", "cachetools==5.5.0", ["src"]),
    ("more-itertools", "more-itertools==10.3.0", "more-itertools==10.4.0", [""]),
    ("attrs", "attrs==23.1.0", "attrs==23.2.0", ["src"]),
    ("packaging", "packaging==24.1", "packaging==24.2", ["src"]),
    ("click", "click==8.1.6", "click==8.1.7", ["src"]),
    ("jinja2", "Jinja2==3.1.2", "Jinja2==3.1.3", ["src"]),
    ("markdown", "Markdown==3.5.1", "Markdown==3.5.2", [""]),
    ("packaging", "packaging==23.1", "packaging==23.2", ["src"]),
    ("python-dateutil", "python-dateutil==2.8.2", "python-dateutil==2.9.0", [""]),
    ("idna", "idna==3.6", "idna==3.7", [""]),
]
UNSPLICED = "(its tests could not be spliced: counted as a miss)"
PYTEST = ["-p", "no:randomly", "-q", "-o", "junit_family=xunit1",
          "--continue-on-collection-errors"]


@dataclass
class Row:
    project: str
    fix: str
    total: int
    failing: set[str]
    chosen: dict[str, list[str]] = field(default_factory=dict)
    select_ms: float = 0.0
    full_s: float = 0.0
    targeted_s: float = 0.0


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def pytest(root: Path, roots: list[str], args: list[str], junit_to: Path,
           extra_env: dict[str, str] | None = None) -> tuple[list[junit.Case], float]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(root / r) for r in roots),
           "PYTHONDONTWRITEBYTECODE": "1", **(extra_env or {})}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", *PYTEST, f"--junitxml={junit_to}", *args],
                   cwd=root, env=env, capture_output=True, text=True, check=False, timeout=900)
    return junit.parse_file(junit_to), time.perf_counter() - start


def bad(cases: list[junit.Case]) -> set[str]:
    return {c.nodeid for c in cases if c.outcome in ("failed", "error")}


def build(name: str, old: str, new: str) -> tuple[Path, Path]:
    work = WORK / f"{name}-{new.split('==')[1]}"  # project-release: a project may come twice
    shutil.rmtree(work, ignore_errors=True)
    repo = unpack(download(old, OUT / "sdists"), work / "repo")
    newer = unpack(download(new, OUT / "sdists"), work / "new")
    ignored = ".hotfix/\n__pycache__/\n.testmondata*\n.pytest_cache/\n"
    (repo / ".gitignore").write_text(ignored, "utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{old}")
    git(repo, "tag", "base")
    return repo, newer


def is_test(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"


def covers(selected: list[str], test: str) -> bool:
    path, _, tail = test.partition("::")
    if tail == path.removesuffix(".py").replace("/", "."):  # the module failed to import
        return any(s.startswith(path + "::") for s in selected)
    return test in selected or test.split("[", 1)[0] in {s.split("[", 1)[0] for s in selected
                                                          if "[" not in s}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--quick", action="store_true", help="2 projects, 1 fix each")
    args.add_argument("--fixes", type=int, default=4, help="most fixes per project")
    opts = args.parse_args()
    projects = PROJECTS[:2] if opts.quick else PROJECTS
    limit = 1 if opts.quick else opts.fixes
    testmon = _has_testmon()
    rows: list[Row] = []
    for name, old, new, roots in projects:
        rows += run_project(name, old, new, roots, limit, testmon)
    report(rows, testmon)


def _has_testmon() -> bool:
    try:
        import testmon  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        print("pytest-testmon is not installed: its column is left out "
              "(python -m pip install pytest-testmon)")
        return False
    return True


def run_project(name: str, old: str, new: str, roots: list[str], limit: int,
                testmon: bool) -> list[Row]:
    repo, newer = build(name, old, new)
    (repo / "hotfix.toml").write_text(f"[impact]\nsource_roots = {roots!r}\n".replace("'", '"'),
                                      "utf-8")
    fixes = find_fixes(repo, newer, is_test)
    print(f"\n== {name}: {old} → {new}: {len(fixes)} candidate fixes", flush=True)
    if not fixes:
        return []
    start = time.perf_counter()
    recorded = record_map(Git(repo), load_config(repo), "base")
    print(f"   coverage map: {recorded.tests} tests in {time.perf_counter() - start:.1f}s "
          f"(a full run under coverage)", flush=True)
    scratch = repo.parent / "junit.xml"
    baseline, _ = pytest(repo, roots, [], scratch)
    already = bad(baseline)
    tm_dir = _testmon_base(repo, roots, scratch) if testmon else None
    rows: list[Row] = []
    for index, fix in enumerate(fixes):
        if len(rows) >= limit:
            break
        row = run_fix(repo, newer, roots, fix, index, already, scratch, tm_dir)
        if row:
            rows.append(row)
            what = (UNSPLICED if UNSPLICED in row.failing
                    else f"{len(row.failing)} failing before, suite {row.total}")
            print(f"   {row.fix}: {what}", flush=True)
    return rows


def run_fix(repo: Path, newer: Path, roots: list[str], fix: Fix, index: int, already: set[str],
            scratch: Path, tm_dir: Path | None) -> Row | None:
    git(repo, "checkout", "-q", "base")
    try:
        apply(fix, repo, newer, tests_only=True)
    except SyntaxError:  # its tests could not be spliced: a miss for every tool, not a skip
        git(repo, "checkout", "-q", "-f", "base")
        return Row(repo.parent.name, fix.name, 0, {UNSPLICED})
    before, _ = pytest(repo, roots, [], scratch)
    git(repo, "checkout", "-q", "--", ".")
    branch = f"fix-{index}"
    git(repo, "checkout", "-q", "-B", branch, "base")
    apply(fix, repo, newer)
    git(repo, "commit", "-q", "-am", f"fix {fix.name}")
    after, full_s = pytest(repo, roots, [], scratch)
    failing = (bad(before) - already) - bad(after)
    if not failing:
        git(repo, "checkout", "-q", "base")
        return None
    row = Row(repo.parent.name, fix.name, len(after), failing, full_s=full_s)
    _select_all(repo, branch, row)
    if tm_dir is not None:
        row.chosen["testmon"] = _testmon_fix(tm_dir, roots, branch, scratch)
    _, row.targeted_s = pytest(repo, roots, row.chosen["hotfix (map)"], scratch)
    git(repo, "checkout", "-q", "base")
    return row


def _select_all(repo: Path, branch: str, row: Row) -> None:
    cfg, git_repo = load_config(repo), Git(repo)
    report = impact(git_repo, cfg, clock=SystemClock(), base="base", head=branch)
    row.select_ms = report.seconds * 1000
    row.chosen["hotfix (map)"] = list(report.selection.selected)
    rules = impact_rules(cfg)
    base, head = git_repo.require_commit("base"), git_repo.require_commit(branch)
    changes = git_repo.diff(base, head)
    index = static_index(git_repo, head, rules, changes)
    heads = _analysed(git_repo, head, [c.path for c in changes], rules)
    olds = _analysed(git_repo, base, [c.old_path for c in changes if c.old_path], rules)
    static = select(changes, rules, head=heads, old=olds, coverage=None, static=lambda: index)
    row.chosen["hotfix (static)"] = list(static.selected)
    wide = closure(index, [c.path for c in changes if c.path.endswith(".py")])
    row.chosen["import closure"] = list(wide)


def _testmon_base(repo: Path, roots: list[str], scratch: Path) -> Path:
    tm = repo.parent / "testmon"
    shutil.rmtree(tm, ignore_errors=True)
    git(repo, "worktree", "prune")
    git(repo, "worktree", "add", "-q", "--detach", str(tm), "base")
    pytest(tm, roots, ["--testmon"], scratch)
    shutil.copy(tm / ".testmondata", tm.parent / "testmondata.base")
    return tm


def _testmon_fix(tm: Path, roots: list[str], branch: str, scratch: Path) -> list[str]:
    shutil.copy(tm.parent / "testmondata.base", tm / ".testmondata")
    git(tm, "checkout", "-q", "--detach", branch)
    cases, _ = pytest(tm, roots, ["--testmon"], scratch)
    git(tm, "checkout", "-q", "--detach", "base")
    return [c.nodeid for c in cases if c.outcome != "skipped"]


def report(rows: list[Row], testmon: bool) -> None:
    if not rows:
        print("no fix with a failing regression test was found")
        return
    tools = ["hotfix (map)", "hotfix (static)", "import closure"] + (["testmon"] if testmon else [])
    print("\nper fix: recall of the failing tests / share of the suite selected")
    print(f"{'project-release':<22}{'fix':<46}{'suite':>6}{'fail':>5}  " +
          "".join(f"{t:>22}" for t in tools) + f"{'select ms':>11}{'full s':>8}{'tgt+full s':>11}")
    for row in rows:
        cells = "".join(f"{_recall(row, t):>10.0%} / {_share(row, t):>7.1%} " for t in tools)
        print(f"{row.project:<22}{row.fix[-45:]:<46}{row.total:>6}{len(row.failing):>5}  {cells}"
              f"{row.select_ms:>11.0f}{row.full_s:>8.1f}{row.targeted_s + row.full_s:>11.1f}")
    projects = {r.project.rsplit("-", 1)[0] for r in rows}
    print(f"\nsummary over {len(rows)} fixes from {len({r.project for r in rows})} release "
          f"pairs of {len(projects)} projects")
    for tool in tools:
        recalls = [_recall(r, tool) for r in rows]
        shares = [_share(r, tool) for r in rows]
        print(f"  {tool:<16} recall min {min(recalls):.0%} (100% on {recalls.count(1.0)}/"
              f"{len(rows)}), selected share median {statistics.median(shares):.1%} "
              f"max {max(shares):.1%}")
    ms = [r.select_ms for r in rows]
    print(f"  selection with a map: median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms")
    full = sum(r.full_s for r in rows)
    both = sum(r.full_s + r.targeted_s for r in rows)
    first = statistics.median(r.targeted_s for r in rows)
    print(f"  wall time: full alone {full:.1f}s, targeted + full {both:.1f}s "
          f"({both / full:.2f}×); targeted alone, median {first:.1f}s (time to first signal)")


def _recall(row: Row, tool: str) -> float:
    if UNSPLICED in row.failing:
        return 0.0
    chosen = row.chosen.get(tool, [])
    return sum(covers(chosen, t) for t in row.failing) / len(row.failing)


def _share(row: Row, tool: str) -> float:
    return len(row.chosen.get(tool, [])) / row.total if row.total else 0.0


if __name__ == "__main__":
    main()
