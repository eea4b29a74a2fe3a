"""A router in memory, for tests only (never selectable from a user's configuration).

It keeps the split it is given, live at once, and keeps it across ``stop`` and ``ensure`` as
the builtin router keeps its state file. It serves no requests itself: fake traffic
(``hotfix.adapters.metrics.fake.FakeTraffic``) reads its live weights to decide where each
request goes, and ``in_flight`` says how many requests per version are still running. It
passes the routers' contract tests (``tests/adapters/routers/test_router_contract.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotfix.adapters.routers import RouterError
from hotfix.ports import RequestLogFile, Split


@dataclass
class FakeRouter:
    listen: str = "fake.invalid:8080"
    name: str = "fake"
    running: bool = False
    split: Split = field(default_factory=lambda: Split({}, {}))
    applied: list[Split] = field(default_factory=list)  # every split made live, in order
    in_flight: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{self.listen}"

    def ensure(self) -> None:
        self.running = True

    def apply(self, split: Split) -> None:
        if not self.running:
            raise RouterError("the fake router is not running",
                              hint="run the command again: it starts the router")
        self.split = split
        self.applied.append(split)

    def current(self) -> Split | None:
        return self.split if self.running else None

    def drain(self, version: str, timeout: float) -> bool:
        return not self.in_flight.get(version)

    def stop(self) -> None:
        self.running = False

    def request_log(self) -> RequestLogFile | None:
        return None
