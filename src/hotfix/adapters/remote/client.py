"""One HTTP seam to the team server: bearer token, retries that never double an append,
and problem details turned back into the ``HotfixError`` the server raised.

A mutating request carries an ``Idempotency-Key`` chosen once per call; a retry (after a
dropped connection, a timeout, a 502/503/504) sends the same key, so the server records
the action at most once. When every attempt fails, ``ServerUnavailable`` says whether
the action may have been recorded, and how to see."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from hotfix.errors import ConfigError, HotfixError, ServerUnavailable

RETRY_STATUS = frozenset({502, 503, 504})
BACKOFF = (0.3, 1.0, 2.0)  # seconds before each retry


class ServerClient:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None,
                 backoff: tuple[float, ...] = BACKOFF) -> None:
        self.url = url.rstrip("/")
        self.backoff = backoff
        self.http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport,
                                 headers={"Authorization": f"Bearer {token}",
                                          "User-Agent": "hotfix-cli"})

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def get_bytes(self, path: str) -> bytes | None:
        """The body of ``GET path`` as it came (an image); None for a 404."""
        found: bytes | None = self._send("GET", path, raw=True)
        return found

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._send("POST", path, json=body or {},
                          headers={"Idempotency-Key": uuid.uuid4().hex})

    def _send(self, method: str, path: str, raw: bool = False, **kwargs: Any) -> Any:
        sent = False  # did any attempt reach the server?
        problem = ""
        for attempt, pause in enumerate((0.0, *self.backoff)):
            time.sleep(pause if attempt else 0)
            try:
                response = self.http.request(method, path, **kwargs)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError) as exc:
                raise ConfigError(f"cannot talk to {self.url}: {exc}",
                                  hint="check server.url / HOTFIX_SERVER and the token") from None
            except httpx.ConnectError as exc:
                problem = f"cannot connect: {exc}"
                continue
            except httpx.TransportError as exc:
                sent, problem = True, f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in RETRY_STATUS and not _is_problem(response):
                sent, problem = True, f"HTTP {response.status_code}"
                continue
            if raw and response.status_code == 404:
                return None
            if raw and response.is_success:
                return response.content
            return _result(response)
        raise _unavailable(self.url, method, sent, problem)


def _is_problem(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/problem+json")


def _result(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json()
    if _is_problem(response):
        raise as_error(response.json())
    raise ServerUnavailable(f"the team server answered HTTP {response.status_code} "
                            f"for {response.request.method} {response.request.url.path}",
                            hint="check server.url / HOTFIX_SERVER: is it a hotfix server?")


def as_error(body: dict[str, Any]) -> HotfixError:
    """The ``HotfixError`` a problem-details body stands for (its ``error`` name)."""
    kind = str(body.get("error", ""))
    cls = _kinds().get(kind, HotfixError)
    message = str(body.get("detail") or body.get("title") or "the team server refused")
    hint = body.get("hint")
    if body.get("status") == 429:
        message = f"the team server is rate-limiting: {message}"
    return cls(message, hint=str(hint) if hint else None)


def _kinds() -> dict[str, type[HotfixError]]:
    found: dict[str, type[HotfixError]] = {}
    stack: list[type[HotfixError]] = [HotfixError]
    while stack:
        cls = stack.pop()
        found[_kind(cls)] = cls
        stack.extend(cls.__subclasses__())
    return found


def _kind(cls: type[HotfixError]) -> str:
    name = cls.__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _unavailable(url: str, method: str, sent: bool, problem: str) -> ServerUnavailable:
    if method == "GET" or not sent:
        return ServerUnavailable(f"the team server at {url} did not answer ({problem}); "
                                 "nothing was recorded",
                                 hint="check that it runs and server.url / HOTFIX_SERVER is "
                                 "right, then run the command again")
    return ServerUnavailable(f"the team server at {url} went away mid-request ({problem}); "
                             "the action was recorded at most once",
                             hint="see whether it was: hotfix log HF-N; running the command "
                             "again is safe when it was not")

