"""Version reservation: one create-only ref decides, across real processes and stores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix.errors import ConflictError
from hotfix.services.context import Context
from hotfix.services.git.resume import resume
from hotfix.services.git.start import start
from hotfix.wiring import open_context
from tests.gitrepo import Repo, bare_remote
from tests.hotfix_flow import ENGINEER, approved

# Each process plans its version, then waits at a file barrier until the other has planned
# too: both have chosen before either reserves, the window of a real race made certain.
RACER = """
import json, sys, time
from pathlib import Path
from hotfix.services.git import start as svc
from hotfix.wiring import open_context

root, key, barrier, url = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]
plan = svc.plan_work

def planned_then_wait(*args, **kwargs):
    work = plan(*args, **kwargs)
    (barrier / key).touch()
    deadline = time.monotonic() + 30
    while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return work

svc.plan_work = planned_then_wait
ctx = open_context(root, {}, {"database.url": url} if url else None)
try:
    out = svc.start(ctx, key, "ada@example.com", "1.1")
    print(json.dumps({"version": out.work.version, "branch": out.work.branch}))
finally:
    ctx.close()
"""


def _race(shop: Repo, keys: list[str], url: str, barrier: Path) -> list[dict[str, str]]:
    barrier.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(shop.path), key, str(barrier),
                               url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for key in keys]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    return [json.loads(out) for out, _ in results]


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_two_processes_starting_on_one_line_get_two_versions(
        shop: Repo, tmp_path: Path, store: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("postgres_url") if store == "postgres" else ""
    ctx = open_context(shop.path, {}, {"database.url": url} if url else None)
    try:
        keys = [approved(ctx, f"bug {n}") for n in (1, 2)]
        got = _race(shop, keys, url, tmp_path / "barrier")
        assert sorted(g["version"] for g in got) == ["1.1.1", "1.1.2"]
        for key, g in zip(keys, got, strict=True):
            rec = ctx.records.get(key)
            assert rec.facts["version"] == g["version"]
            assert ctx.git.reservation_owner(g["version"]) == key
            assert shop.git("rev-parse", "--verify", "-q", f"refs/heads/{g['branch']}")
    finally:
        ctx.close()


def test_start_skips_a_version_reserved_by_another_record(shop: Repo, ctx: Context) -> None:
    assert ctx.git.reserve_version("1.1.1", "HF-99")
    assert not ctx.git.reserve_version("1.1.1", "HF-98")  # create-only: git refuses

    started = start(ctx, approved(ctx), ENGINEER, "1.1")

    assert started.work.version == "1.1.2"
    assert ctx.git.reservation_owner("1.1.1") == "HF-99"


def _cut_short(ctx: Context, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix.adapters.git import worktrees

    def power_cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(worktrees, "add", power_cut)
        with pytest.raises(KeyboardInterrupt):
            start(ctx, key, ENGINEER, "1.1")


def test_resume_refuses_to_adopt_another_records_reservation(
        shop: Repo, ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    loser = approved(ctx, "loser")
    _cut_short(ctx, loser, monkeypatch)
    # The race lost before reservations were atomic: the winner holds 1.1.1 and its branch.
    shop.git("update-ref", "-d", "refs/hotfix/reserved/1.1.1")
    winner = approved(ctx, "winner")
    assert start(ctx, winner, ENGINEER, "1.1").work.version == "1.1.1"

    with pytest.raises(ConflictError) as info:
        resume(ctx, loser, ENGINEER)

    assert f"reserved by {winner}" in str(info.value)
    assert f"hotfix start {loser} --line 1.1" in (info.value.hint or "")
    assert ctx.records.get(loser).state.value == "approved"  # nothing adopted
    assert start(ctx, loser, ENGINEER, "1.1").work.version == "1.1.2"  # the hint works


def test_resume_refuses_a_started_record_whose_version_another_reserved(
        shop: Repo, ctx: Context) -> None:
    key = approved(ctx)
    start(ctx, key, ENGINEER, "1.1")
    shop.git("update-ref", "-d", "refs/hotfix/reserved/1.1.1")
    assert ctx.git.reserve_version("1.1.1", "HF-77")

    with pytest.raises(ConflictError) as info:
        resume(ctx, key, ENGINEER)

    assert "reserved by HF-77" in str(info.value)
    assert f"hotfix close {key}" in (info.value.hint or "")


def test_two_clones_sharing_a_remote_never_reserve_one_version(
        shop: Repo, tmp_path: Path) -> None:
    from hotfix.adapters.git.repo import Git

    bare_remote(shop, tmp_path / "origin.git")
    other = Repo(tmp_path / "other")
    subprocess.run(["git", "clone", "-q", str(tmp_path / "origin.git"), str(other.path)],
                   check=True)
    ctx = open_context(shop.path, {})
    try:
        assert start(ctx, approved(ctx), ENGINEER, "1.1").work.version == "1.1.1"
        # the other clone, whose choice was made before it could see ours: the remote refuses
        assert not Git(other.path).reserve_version("1.1.1", "HF-9", "origin")
        assert other.git("for-each-ref", "refs/hotfix/reserved") == ""  # dropped, not kept
        assert Git(other.path).reserve_version("1.1.2", "HF-9", "origin")
        # and a start here now sees both on the remote
        assert start(ctx, approved(ctx, "next"), ENGINEER, "1.1").work.version == "1.1.3"
    finally:
        ctx.close()
