"""A notifier for tests: keeps what it was sent; fails the first ``fail`` sends (with
``permanent`` / ``retry_after`` as a real channel would)."""

from __future__ import annotations

from hotfix.errors import DeliveryFailed
from hotfix.ports.notify import Notice


class FakeNotifier:
    def __init__(self, name: str = "fake", *, fail: int = 0, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        self.name = name
        self.fail = fail
        self.permanent = permanent
        self.retry_after = retry_after
        self.sent: list[Notice] = []
        self.tries = 0

    def send(self, notice: Notice) -> None:
        self.tries += 1
        if self.tries <= self.fail:
            raise DeliveryFailed(f"{self.name}: down (attempt {self.tries})",
                                 permanent=self.permanent, retry_after=self.retry_after)
        self.sent.append(notice)
