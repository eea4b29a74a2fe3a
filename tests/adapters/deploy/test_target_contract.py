"""The deploy target contract: the local target and the fake one pass the same tests."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotfix.adapters.deploy import UnhealthyInstance
from hotfix.adapters.deploy.fake import FakeTarget
from hotfix.adapters.deploy.local import process_of
from hotfix.errors import HotfixError
from hotfix.ports import DeployTarget, Instance
from tests.rollout_app.support import GOOD, Started, make_app_repo, processes_in


@dataclass
class Subject:
    target: DeployTarget
    kill: Callable[[Instance], None]  # the instance dies from outside (a crash, kill -9)
    leftovers: Callable[[str], list[object]]  # what still runs of a version, started or not


def _local(tmp_path: Path, started: Started) -> Subject:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD, "sick": {"healthy": False}})
    target = started.local(repo, health_timeout=1.5)

    def kill(instance: Instance) -> None:
        os.kill(process_of(instance)[0], signal.SIGKILL)

    def leftovers(version: str) -> list[object]:
        return list(processes_in(target.worktree(version)))

    return Subject(target, kill, leftovers)


def _fake() -> Subject:
    target = FakeTarget(versions={"v1", "sick"}, unhealthy={"sick"})

    def leftovers(version: str) -> list[object]:
        return [i for i in target.started if i.version == version and target.alive(i)]

    return Subject(target, target.crash, leftovers)


@pytest.fixture(params=["local", "fake"])
def subject(request: pytest.FixtureRequest, tmp_path: Path, started: Started) -> Subject:
    return _local(tmp_path, started) if request.param == "local" else _fake()


def gone(target: DeployTarget, instance: Instance) -> bool:
    """Whether ``instance`` stops being alive (a killed process takes a moment to go)."""
    for _ in range(100):
        if not target.alive(instance):
            return True
        time.sleep(0.05)
    return False


def test_start_gives_healthy_instances_of_the_version(subject: Subject) -> None:
    instances = subject.target.start("v1", 2)
    assert [i.version for i in instances] == ["v1", "v1"]
    assert len({i.address for i in instances}) == 2
    assert all(subject.target.alive(i) for i in instances)
    subject.target.stop(instances)


def test_stop_leaves_nothing_running_and_may_be_repeated(subject: Subject) -> None:
    instances = subject.target.start("v1", 2)
    subject.target.stop(instances)
    assert not any(subject.target.alive(i) for i in instances)
    assert subject.leftovers("v1") == []
    subject.target.stop(instances)  # already stopped: nothing to do, no error


def test_an_instance_read_back_from_the_state_file_is_the_same_one(subject: Subject) -> None:
    [instance] = subject.target.start("v1", 1)
    back = Instance.from_dict(json.loads(json.dumps(instance.to_dict())))
    assert back == instance
    assert subject.target.alive(back)
    subject.target.stop([back])
    assert not subject.target.alive(instance)


def test_an_instance_that_died_is_not_alive_and_the_others_are(subject: Subject) -> None:
    first, second = subject.target.start("v1", 2)
    subject.kill(first)
    assert gone(subject.target, first)
    assert subject.target.alive(second)
    subject.target.stop([first, second])


def test_an_unhealthy_version_is_refused_and_leaves_nothing_running(subject: Subject) -> None:
    with pytest.raises(UnhealthyInstance, match=r"^sick on \S+ failed its health check: .*; "
                                                r"it got no traffic and was stopped"):
        subject.target.start("sick", 2)
    assert subject.leftovers("sick") == []


def test_an_unknown_version_is_refused_by_name(subject: Subject) -> None:
    with pytest.raises(HotfixError, match="v9"):
        subject.target.start("v9", 1)
