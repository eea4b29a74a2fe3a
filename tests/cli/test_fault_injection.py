"""Fault injection: SIGKILL at every step boundary of a hotfix, then ``hotfix resume``.

Each case builds the same repository, walks the same hotfix through the real CLI in
subprocesses (start, pick, check, release, backport to two targets, close), and has one
command kill itself (``HOTFIX_FAILPOINT``: SIGKILL right after the named event is committed,
as a power cut would). ``hotfix resume`` must then finish the step, the walk goes on, and
the end must be the same as a walk nobody killed: one tag, one pick, one release commit,
every port, an intact chain, the user's own checkout untouched, no process left behind.
The module prints how many injection points it covered.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.gitrepo import APP_FIXED, Repo, git_sandbox, shop_project  # noqa: F401 (fixture)
from tests.hotfix_flow import ANSWERS, APPROVER, ENGINEER, checked

pytestmark = pytest.mark.slow
HOTFIX = str(Path(sys.executable).parent / "hotfix")
KEY = "HF-1"


@dataclass(frozen=True)
class Step:
    name: str
    args: tuple[str, ...] | None  # None: recorded in-process (the check's event)
    points: tuple[str, ...]  # the events it writes, where a kill is injected


STEPS = (
    Step("start", ("start", KEY, "--line", "1.1", "--as", ENGINEER),
         ("git:start:begin", "start")),
    Step("pick", ("pick", KEY, "fix/eu-cards", "--as", ENGINEER), ("git:pick:begin", "pick")),
    Step("check", None, ()),
    Step("release", ("release", KEY, "--as", ENGINEER), ("git:release:begin", "release")),
    Step("backport", ("backport", KEY, "--to", "1.2,main", "--merge", "--as", ENGINEER),
         ("git:backport:begin", "git:backport:target@1", "git:backport:target@2", "backport")),
    Step("close", ("close", KEY, "--as", APPROVER, "--override",
                   "fault-injection walk: no production here", "-m", "done"), ("close",)),
)
POINTS = [(s.name, p) for s in STEPS for p in s.points]
NOT_COVERED = {  # boundaries this suite does not kill at, and where they are tested instead
    "check": "tests/adapters/testing (a SIGKILLed check leaves no pip or pytest behind)",
    "deploy, verify": "tests/services/rollout/test_deploy_resume.py (a controller killed "
                      "mid-canary, resumed)",
}
covered: list[str] = []


def build(root: Path) -> Repo:
    shop = shop_project(root)
    shop.git("checkout", "-q", "-b", "release/1.2", "main")
    shop.commit("Release 1.2.0", {"pyproject.toml": '[project]\nname = "shop"\nversion = '
                                                    '"1.2.0"\n'})
    shop.tag("v1.2.0")
    shop.checkout("main")
    shop.commit("hotfix settings", {"hotfix.toml": f'[approvals]\napprovers = ["{APPROVER}"]\n'})
    from hotfix.wiring import open_context

    ctx = open_context(shop.path, {})
    try:
        rec = ctx.records.open("Checkout returns 500 for EU cards", "rey@example.com", ANSWERS)
        ctx.records.act(rec.key, "approve", APPROVER, {"note": "go"})
    finally:
        ctx.close()
    return shop


def killed(shop: Repo, args: tuple[str, ...], failpoint: str) -> subprocess.CompletedProcess[str]:
    """``hotfix ARGS`` in its own process, which kills itself at ``failpoint``."""
    env = {**os.environ, "HOTFIX_FAILPOINT": failpoint}
    return subprocess.run([HOTFIX, *args], cwd=shop.path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def record_check(shop: Repo) -> None:
    from hotfix.wiring import open_context

    ctx = open_context(shop.path, {})
    try:
        worktree = Repo(shop.path / ".hotfix" / "worktrees" / KEY)
        checked(ctx, KEY, worktree.head())
    finally:
        ctx.close()


def events(shop: Repo, cli: Invoke) -> list[str]:
    out = cli("log", KEY, "--json", cwd=shop.path)
    return [e["kind"] for e in out.json()["events"] if e["kind"] != "git"]


def walk(shop: Repo, cli: Invoke, kill: tuple[str, str] | None = None) -> None:
    """The hotfix's steps through the CLI (in-process), the killed one in a process."""
    for step in STEPS:
        if step.args is None:
            record_check(shop)
            continue
        point = kill[1] if kill and kill[0] == step.name else None
        if point is None:
            done = cli(*step.args, cwd=shop.path)
            assert done.code == 0, (step.name, done.out, done.err)
            continue
        died = killed(shop, step.args, point)
        assert died.returncode == -9, (f"{point} was never reached", died.stdout, died.stderr)
        resumed = cli("resume", KEY, "--as", ENGINEER, cwd=shop.path)
        assert resumed.code == 0, (point, resumed.out, resumed.err)
        if step.name not in events(shop, cli):  # the kill came before the step's own event
            again = cli(*step.args, cwd=shop.path)
            assert again.code == 0, (point, again.out, again.err)


def outcome(shop: Repo, cli: Invoke) -> dict[str, object]:
    """Everything a walk leaves that must not depend on where it was killed."""
    git = shop.git
    log = git("log", "--format=%s%x00%b%x01", "v1.1.0..hotfix/1.1.1")
    return {
        "tags": git("tag", "--list").split(),
        "picks": log.count("Fix checkout for EU cards"),
        "release_commits": log.count("Hotfix-Release:"),
        "main_app": git("show", "main:shop/app.py"),
        "line_1.2_app": git("show", "release/1.2:shop/app.py"),
        "events": events(shop, cli),
        "checkout": (git("rev-parse", "--abbrev-ref", "HEAD"),
                     git("status", "--porcelain", "--untracked-files=no")),
    }


def leftover_processes(root: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(root) in cmdline or cwd.startswith(str(root)):
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


REFERENCE: dict[str, object] = {}


def reference(tmp: Path, cli: Invoke) -> dict[str, object]:
    """The outcome of the walk nobody killed (computed once)."""
    if not REFERENCE:
        shop = build(tmp / "reference" / "shop")
        walk(shop, cli)
        REFERENCE.update(outcome(shop, cli))
    return REFERENCE


@pytest.mark.usefixtures("git_sandbox")
@pytest.mark.parametrize(("step", "point"), POINTS, ids=[p for _, p in POINTS])
def test_killed_at_a_boundary_resume_finishes_it(step: str, point: str, tmp_path: Path,
                                                 hotfix: Invoke) -> None:
    expected = reference(tmp_path, hotfix)
    shop = build(tmp_path / "shop")
    walk(shop, hotfix, (step, point))
    assert outcome(shop, hotfix) == expected
    assert shop.read("shop/app.py") == APP_FIXED  # main's checkout got the fix, cleanly
    chain = hotfix("log", KEY, "--verify", cwd=shop.path)
    assert chain.code == 0, chain.out
    assert leftover_processes(tmp_path) == []
    covered.append(point)
    if len(covered) == len(POINTS):
        print(f"\nfault injection: {len(covered)} of {len(POINTS)} injection points covered "
              f"({', '.join(covered)}); elsewhere: "
              + "; ".join(f"{k}: {v}" for k, v in NOT_COVERED.items()))


def test_a_failpoint_that_does_not_parse_is_a_configuration_error(hotfix: Invoke) -> None:
    os.environ["HOTFIX_FAILPOINT"] = "git:pick:begin:extra"
    try:
        result = hotfix("list")
    finally:
        del os.environ["HOTFIX_FAILPOINT"]
    assert result.code == 2
    assert "KIND[:STEP[:PHASE]][@N]" in result.err
