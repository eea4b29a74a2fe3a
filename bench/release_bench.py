"""Benchmark: ``hotfix start`` + ``pick`` + ``release`` against the same raw git commands.

    python bench/release_bench.py            # 50,000 commits on main, 5 lines of 500 commits
    python bench/release_bench.py --quick    # 5,000 commits, 5 lines of 100 commits

Builds the repository once with ``git fast-import`` (not timed), then runs ROUNDS rounds of
each, alternating: hotfix's services in-process (record events in SQLite included), and a
person's minimal raw git (worktree add, cherry-pick -x, bump version files and changelog,
commit, annotated tag). Every round starts from the same state (the previous round's tag,
branch and worktree are removed, untimed). Prints the medians and their ratio; the target
is hotfix ≤ 1.3× raw git. Never asserts on time.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from hotfix.services.context import Context
from hotfix.services.git.pick import pick
from hotfix.services.git.release import release
from hotfix.services.git.start import start
from hotfix.wiring import open_context

WHO = "bench@example.com"
STAMP = 1_700_000_000
LINES = 5


def git(cwd: Path, *args: str, data: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, text=True,
                          check=True).stdout.strip()


def _blob(text: str) -> str:
    raw = text.encode()
    return f"data {len(raw)}\n{text}\n"


class Stream:
    """A ``git fast-import`` stream, built in memory."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.mark = 0

    def commit(self, ref: str, message: str, files: dict[str, str], parent: int | None) -> int:
        self.mark += 1
        out = [f"commit {ref}\nmark :{self.mark}\n",
               f"committer Bench <bench@example.com> {STAMP + self.mark} +0000\n",
               _blob(message)]
        if parent is not None:
            out.append(f"from :{parent}\n")
        out += [f"M 100644 inline {path}\n{_blob(text)}" for path, text in files.items()]
        self.parts.append("".join(out) + "\n")
        return self.mark

    def tag(self, name: str, mark: int) -> None:
        self.parts.append(f"tag {name}\nfrom :{mark}\ntagger Bench <bench@example.com> "
                          f"{STAMP} +0000\n{_blob('Release ' + name)}")

    def text(self) -> str:
        return "".join(self.parts) + "done\n"


def version_files(version: str) -> dict[str, str]:
    return {"pyproject.toml": f'[project]\nname = "app"\nversion = "{version}"\n',
            "app/__init__.py": f'__version__ = "{version}"\n'}


def build(root: Path, commits: int, line_commits: int, files: int) -> dict[str, str]:
    """Main with ``commits`` commits, LINES release lines; returns the fix commits' refs."""
    s = Stream()
    tree = {f"app/mod{i:04d}.py": f"VALUE = {i}\n" for i in range(files)}
    tree.update({f"app/fix{r}.py": "BROKEN = True\n" for r in range(LINES)})
    tree.update({**version_files("1.0.0"), "CHANGELOG.md": "# Changelog\n"})
    head = s.commit("refs/heads/main", "Initial", tree, None)
    fork_every = commits // (LINES + 1)
    for n in range(1, commits):
        head = s.commit("refs/heads/main", f"Change {n}",
                        {f"app/mod{n % files:04d}.py": f"VALUE = {n}\n"}, head)
        if n % fork_every == 0 and n // fork_every <= LINES:
            _line(s, n // fork_every, head, line_commits, files)
    s.commit("refs/heads/fix/bench", "Fix the bug", {"app/fix4.py": "BROKEN = False\n"},
                   head)
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "fast-import", "--quiet", data=s.text())
    git(root, "checkout", "-q", "main")
    git(root, "config", "user.email", WHO)
    git(root, "config", "user.name", "Bench")
    return {"fix": git(root, "rev-parse", "fix/bench")}


def _line(s: Stream, minor: int, fork: int, line_commits: int, files: int) -> None:
    ref = f"refs/heads/release/1.{minor - 1}"
    head = s.commit(ref, f"Release 1.{minor - 1}.0", version_files(f"1.{minor - 1}.0"), fork)
    s.tag(f"v1.{minor - 1}.0", head)
    for n in range(line_commits):
        head = s.commit(ref, f"Line 1.{minor - 1} change {n}",
                        {f"app/mod{(n * 7) % files:04d}.py": f"LINE = {n}\n"}, head)


def hotfix_round(ctx: Context, fix: str) -> Callable[[], None]:
    rec = ctx.records.open("Bench bug", "reporter@example.com",
                           {"significant": "yes", "users_affected": "35%", "workaround": "no",
                            "costing_money": "yes"})
    ctx.records.act(rec.key, "approve", "approver@example.com", {})

    def run() -> None:
        started = start(ctx, rec.key, WHO, line="1.4")
        pick(ctx, rec.key, WHO, [fix])
        head = git(started.work.worktree, "rev-parse", "HEAD")
        ctx.records.act(rec.key, "check", WHO, {"passed": True, "commit": head})  # as `check`
        release(ctx, rec.key, WHO)

    return run


def raw_round(root: Path, fix: str) -> Callable[[], None]:
    def run() -> None:
        wt = root / ".raw"
        git(root, "worktree", "add", "-q", "-b", "raw/1.4.1", str(wt), "v1.4.0")
        git(wt, "cherry-pick", "-x", fix)
        for path, text in version_files("1.4.1").items():
            (wt / path).write_text(text, encoding="utf-8")
        log = (wt / "CHANGELOG.md").read_text(encoding="utf-8")
        (wt / "CHANGELOG.md").write_text(log + "\n## v1.4.1\n\n- Fix the bug\n",
                                         encoding="utf-8")
        git(wt, "commit", "-q", "-am", "Release v1.4.1")
        git(wt, "tag", "-a", "raw-v1.4.1", "-m", "Release v1.4.1")

    return run


def cleanup(root: Path) -> None:
    for tag in ("v1.4.1", "raw-v1.4.1"):
        subprocess.run(["git", "tag", "-d", tag], cwd=root, capture_output=True, check=False)
    for tree in (root / ".raw", *(root / ".hotfix" / "worktrees").glob("*")):
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=root,
                       capture_output=True, check=False)
    for branch in ("raw/1.4.1", "hotfix/1.4.1"):
        subprocess.run(["git", "branch", "-D", branch], cwd=root, capture_output=True,
                       check=False)


def timed(fn: Callable[[], None]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its git children)."""
    wall, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - wall, _cpu() - cpu


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 commits, 100 per line")
    parser.add_argument("--commits", type=int, default=None)
    parser.add_argument("--line-commits", type=int, default=None)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    commits = args.commits or (5_000 if args.quick else 50_000)
    line_commits = args.line_commits or (100 if args.quick else 500)
    rounds = args.rounds or (5 if args.quick else 9)
    with tempfile.TemporaryDirectory(prefix="hotfix-release-bench-") as tmp:
        root = Path(tmp) / "repo"
        began = time.perf_counter()
        refs = build(root, commits, line_commits, args.files)
        print(f"repository: {commits:,} commits on main, {LINES} lines × {line_commits} "
              f"commits, {args.files + LINES + 3:,} files (built in "
              f"{time.perf_counter() - began:.1f} s)", flush=True)
        ctx = open_context(root, {}, {"lines.check_remote_tags": False})
        ours, theirs = [], []
        try:
            for _ in range(rounds):
                ours.append(timed(hotfix_round(ctx, refs["fix"])))
                cleanup(root)
                theirs.append(timed(raw_round(root, refs["fix"])))
                cleanup(root)
        finally:
            ctx.close()
        report(ours, theirs)
        shutil.rmtree(root, ignore_errors=True)


def report(ours: list[tuple[float, float]], theirs: list[tuple[float, float]]) -> None:
    print(f"rounds: {len(ours)} each, alternating")
    for index, what in ((0, "wall"), (1, "cpu ")):
        mine = [x[index] for x in ours]
        peer = [x[index] for x in theirs]
        a, b = statistics.median(mine), statistics.median(peer)
        print(f"{what} hotfix start+pick+release : median {a * 1000:8.1f} ms "
              f"(min {min(mine) * 1000:.1f}, max {max(mine) * 1000:.1f})")
        print(f"{what} raw git, same steps       : median {b * 1000:8.1f} ms "
              f"(min {min(peer) * 1000:.1f}, max {max(peer) * 1000:.1f})")
        print(f"{what} ratio hotfix / raw git    : {a / b:.2f}×   (target ≤ 1.30×)")


if __name__ == "__main__":
    main()
