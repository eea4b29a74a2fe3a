"""The controllers contract: real processes and the fake pass the same tests."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.fake import FakeControllers
from hotfix.adapters.deploy.procs import ProcessControllers
from hotfix.domain.rollout.state import ControllerId
from hotfix.ports import Controllers


@dataclass
class Subject:
    controllers: Controllers
    other: Callable[[], ControllerId]  # another controller, running


@pytest.fixture(params=["processes", "fake"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Subject]:
    if request.param == "fake":
        fake = FakeControllers()
        yield Subject(fake, fake.spawn)
        return
    spawned: list[ControllerId] = []

    def other() -> ControllerId:
        argv = [sys.executable, "-c", "import time; time.sleep(60)"]
        spawned.append(procs.spawn(argv, tmp_path, tmp_path / "controller.log"))
        return spawned[-1]

    yield Subject(ProcessControllers(stop_timeout=5.0), other)
    for pid, ticks in spawned:
        procs.stop_group(pid, ticks, 1.0)


def test_this_controller_is_alive(subject: Subject) -> None:
    assert subject.controllers.alive(subject.controllers.me())


def test_another_controller_runs_until_it_is_stopped(subject: Subject) -> None:
    who = subject.other()
    assert who != subject.controllers.me()
    assert subject.controllers.alive(who)
    subject.controllers.stop(who)
    assert not subject.controllers.alive(who)
    subject.controllers.stop(who)  # gone already: nothing to do


def test_a_reused_process_id_is_not_the_controller(subject: Subject) -> None:
    pid, ticks = subject.other()
    assert not subject.controllers.alive((pid, ticks + 1))
    subject.controllers.stop((pid, ticks + 1))  # never signals a process it does not name
    assert subject.controllers.alive((pid, ticks))


def test_no_controller_is_never_alive(subject: Subject) -> None:
    assert not subject.controllers.alive((0, 0))
