"""The local target: real app processes from a git worktree of a tag."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.local import UnhealthyInstance
from hotfix.errors import GitError
from tests.rollout_app.support import GOOD, Started, make_app_repo, processes_in


def test_starts_healthy_instances_of_the_tag_and_stops_them_all(tmp_path: Path,
                                                                 started: Started) -> None:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD, "v2": {**GOOD, "spawn_child": True}})
    target = started.local(repo)
    instances = target.start("v2", 2)
    assert len({i.address for i in instances}) == 2
    for inst in instances:
        assert httpx.get(f"http://{inst.address}/x", trust_env=False).json()["version"] == "v2"
        assert target.alive(inst)
    tree = target.worktree("v2")
    assert len(processes_in(tree)) == 4  # two apps, each with its `sleep` child
    target.stop(instances)
    assert processes_in(tree) == []
    assert not any(target.alive(i) for i in instances)


def test_an_unhealthy_instance_never_serves_and_leaves_nothing_running(
        tmp_path: Path, started: Started) -> None:
    repo = make_app_repo(tmp_path / "repo", {"sick": {"healthy": False, "spawn_child": True}})
    target = started.local(repo, health_timeout=1.5)
    with pytest.raises(UnhealthyInstance, match=r"sick on 127\.0\.0\.1:\d+ failed its health "
                                                r"check: not healthy after 1.5 s \(GET .*"
                                                r"/health answered 500\); it got no traffic"):
        target.start("sick", 2)
    assert processes_in(target.worktree("sick")) == []


def test_a_command_that_exits_says_so_with_its_output(tmp_path: Path, started: Started) -> None:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD})
    target = started.local(repo)
    target.command = ["{python}", "-c", "import sys; print('no database'); sys.exit(3)"]
    with pytest.raises(UnhealthyInstance, match=r"(?s)exited before it was healthy.*no database"):
        target.start("v1", 1)


def test_an_unknown_tag_is_a_git_error(tmp_path: Path, started: Started) -> None:
    target = started.local(make_app_repo(tmp_path / "repo", {"v1": GOOD}))
    with pytest.raises(GitError, match="v9"):
        target.start("v9", 1)


def test_stop_ignores_a_pid_that_names_another_process(tmp_path: Path) -> None:
    import os
    me = os.getpid()
    procs.stop_group(me, procs.start_ticks(me) + 1, 0.1)  # wrong start time: not ours
    assert procs.alive(me)
