"""Fakes of the deploy target and of the controller processes, for tests only.

Never selectable from a user's configuration: tests build them and hand them to
``hotfix.wiring.open_context`` (``RolloutParts``). Both pass the contract tests of their real
twins (``tests/adapters/deploy/test_target_contract.py``).

``FakeTarget`` starts instances that exist in memory only: each has its own address and a
handle, stays alive until it is stopped or ``crash``-ed, and is recognised again after a
round trip through ``Instance.to_dict`` (as a resumed controller reads it back). A version
in ``unhealthy`` fails its health check as a local one does (``UnhealthyInstance``, nothing
left running); with ``versions`` given, any other version is unknown.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from hotfix.adapters.deploy import UnhealthyInstance
from hotfix.domain.rollout.state import ControllerId
from hotfix.errors import NotFound
from hotfix.ports import Instance


@dataclass
class FakeTarget:
    versions: Collection[str] | None = None  # the tags that exist; None: any
    unhealthy: Collection[str] = ()
    name: str = "fake"
    started: list[Instance] = field(default_factory=list)  # every instance, in start order
    running: set[int] = field(default_factory=set)

    def start(self, version: str, count: int) -> list[Instance]:
        if self.versions is not None and version not in self.versions:
            raise NotFound(f"no tag {version!r} to start", hint="git tag --list")
        instances = [self._new(version) for _ in range(count)]
        if version in self.unhealthy:
            self.stop(instances)
            raise UnhealthyInstance(
                f"{version} on {instances[0].address} failed its health check: the fake "
                "target was told it is unhealthy; it got no traffic and was stopped",
                hint="FakeTarget(unhealthy=…) names it")
        return instances

    def stop(self, instances: Sequence[Instance]) -> None:
        for inst in instances:
            self.running.discard(_number(inst))

    def alive(self, instance: Instance) -> bool:
        return _number(instance) in self.running

    def crash(self, instance: Instance) -> None:
        """The instance dies by itself (as a process killed from outside)."""
        self.running.discard(_number(instance))

    def _new(self, version: str) -> Instance:
        number = len(self.started) + 1
        inst = Instance(version, f"fake.invalid:{10000 + number}", "", {"fake": number})
        self.started.append(inst)
        self.running.add(number)
        return inst


def _number(instance: Instance) -> int:
    return int(instance.handle.get("fake", 0))


@dataclass
class FakeControllers:
    """Controller processes in memory. This one is ``me()``; ``spawn`` starts another."""

    current: ControllerId = (1, 1)
    running: set[ControllerId] = field(default_factory=lambda: {(1, 1)})
    stopped: list[ControllerId] = field(default_factory=list)  # in the order they were

    def me(self) -> ControllerId:
        return self.current

    def alive(self, who: ControllerId) -> bool:
        return who in self.running

    def stop(self, who: ControllerId) -> None:
        if who in self.running:
            self.running.discard(who)
            self.stopped.append(who)

    def spawn(self) -> ControllerId:
        """Another controller process, running."""
        who = (max(pid for pid, _ in {*self.running, self.current}) + 1, 1)
        self.running.add(who)
        return who

    def become(self, who: ControllerId) -> None:
        """From now on this process is ``who`` (a new ``hotfix`` command)."""
        self.current = who
        self.running.add(who)
