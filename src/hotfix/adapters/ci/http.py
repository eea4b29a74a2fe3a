"""HTTP to a CI system: retries on 429 (honouring Retry-After) and 5xx with backoff, clear
errors on a refused token, and the token never in a message."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from hotfix.errors import CIError, UsageError

ATTEMPTS = 5
__all__ = ["Api", "CIError", "poll"]


class Api:
    """One CI system's API: base URL, auth, retries. ``sleep`` is injectable for tests."""

    def __init__(self, system: str, base_url: str, auth_headers: Mapping[str, str],
                 token_env: str, *, timeout: float = 30.0,
                 auth: tuple[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.system, self.token_env, self.sleep = system, token_env, sleep
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=dict(auth_headers),
                                   timeout=timeout, auth=auth, follow_redirects=True)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        delay = 1.0
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.client.request(method, url, **kw)
            except httpx.HTTPError as exc:
                if attempt == ATTEMPTS:
                    raise CIError(f"{self.system} did not answer {method} {_path(url)}: "
                                  f"{type(exc).__name__}",
                                  hint="check the CI URL setting and the network") from None
                self.sleep(delay)
                delay *= 2
                continue
            if response.status_code in (401, 403):
                raise UsageError(f"{self.system} refused the token in ${self.token_env} "
                                 f"({response.status_code} on {_path(url)})",
                                 hint=f"export {self.token_env} with a token that may run "
                                      "the pipeline and read its results")
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == ATTEMPTS:
                    raise CIError(f"{self.system} kept failing: {response.status_code} on "
                                  f"{method} {_path(url)} after {ATTEMPTS} attempts",
                                  hint="try again later; the CI system's status page says more")
                wait = _retry_after(response) or delay
                self.sleep(wait)
                delay *= 2
                continue
            return response
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, **kw: Any) -> Any:
        response = self.request(method, url, **kw)
        if response.status_code >= 400:
            raise CIError(f"{self.system}: {response.status_code} on {method} {_path(url)}: "
                          f"{response.text[:300]}", hint="check the CI settings (docs/"
                                                         "integrations.md)")
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
