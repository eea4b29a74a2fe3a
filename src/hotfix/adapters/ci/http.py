"""HTTP to a vendor's API (a CI system, a monitoring system): retries on 429 (honouring
Retry-After) and 5xx with backoff, clear errors on a refused token, and the token never in a
message. The error raised is the caller's (``CIError`` for CI, ``MetricsQueryError`` for
monitoring)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from hotfix.errors import CIError, HotfixError, UsageError

ATTEMPTS = 5
__all__ = ["Api", "CIError", "poll"]


class Api:
    """One CI system's API: base URL, auth, retries. ``sleep`` is injectable for tests."""

    def __init__(self, system: str, base_url: str, auth_headers: Mapping[str, str],
                 token_env: str, *, timeout: float = 30.0,
                 auth: tuple[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 error: type[HotfixError] = CIError, settings: str = "the CI settings",
                 token_use: str = "run the pipeline and read its results") -> None:
        self.system, self.token_env, self.sleep = system, token_env, sleep
        self.error, self.settings, self.token_use = error, settings, token_use
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=dict(auth_headers),
                                   timeout=timeout, auth=auth, follow_redirects=True)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        delay = 1.0
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.client.request(method, url, **kw)
            except httpx.HTTPError as exc:
                if attempt == ATTEMPTS:
                    raise self.error(f"{self.system} did not answer {method} {_path(url)}: "
                                     f"{type(exc).__name__}",
                                     hint=f"check the URL in {self.settings} and the network"
                                     ) from None
                self.sleep(delay)
                delay *= 2
                continue
            if response.status_code in (401, 403):
                raise UsageError(f"{self.system} refused the token in ${self.token_env} "
                                 f"({response.status_code} on {_path(url)})",
                                 hint=f"export {self.token_env} with a token that may "
                                      f"{self.token_use}")
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == ATTEMPTS:
                    raise self.error(f"{self.system} kept failing: {response.status_code} on "
                                     f"{method} {_path(url)} after {ATTEMPTS} attempts",
                                     hint=f"try again later; {self.system}'s status page says "
                                          "more")
                wait = _retry_after(response) or delay
                self.sleep(wait)
                delay *= 2
                continue
            return response
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, **kw: Any) -> Any:
        response = self.request(method, url, **kw)
        if response.status_code >= 400:
            raise self.error(f"{self.system}: {response.status_code} on {method} {_path(url)}: "
                             f"{response.text[:300]}",
                             hint=f"check {self.settings} (docs/integrations.md)")
        return response.json() if response.content else {}

    def close(self) -> None:
        self.client.close()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return min(float(value), 300.0) if value.replace(".", "", 1).isdigit() else None


def _path(url: str) -> str:
    return url.split("?", 1)[0]


def poll(until: Callable[[], Any], *, every: float, timeout: float,
         sleep: Callable[[float], None], clock: Callable[[], float]) -> Any:
    """Call ``until`` every ``every`` seconds until it returns something; None at ``timeout``."""
    deadline = clock() + timeout
    while True:
        found = until()
        if found is not None:
            return found
        if clock() >= deadline:
            return None
        sleep(every)


class Polled:
    """What the three pipelines share: their API, how often and how long they wait."""

    def __init__(self, api: Api, *, poll_seconds: float = 10.0, timeout: float = 3600.0,
                 start_timeout: float = 300.0, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.api, self.clock = api, clock
        self.poll_seconds, self.timeout, self.start_timeout = poll_seconds, timeout, start_timeout

    def close(self) -> None:
        self.api.close()

    def wait(self, until: Callable[[], Any], *, starting: bool = False) -> Any:
        """``until``'s first answer, polled; None past the start or the run's timeout."""
        return poll(until, every=self.poll_seconds,
                    timeout=self.start_timeout if starting else self.timeout,
                    sleep=self.api.sleep, clock=self.clock)
