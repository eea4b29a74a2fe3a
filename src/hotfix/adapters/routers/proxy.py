"""The builtin router: a weighted HTTP/1.1 reverse proxy in asyncio.

Run as its own process (``python -m hotfix.adapters.routers.proxy_server``), so that production
keeps serving when the rollout controller dies. Every request is routed by the split live at
the moment it arrives (a weight change takes effect at once, also on kept-alive client
connections) and appended to a JSON-lines request log: start time, version, status, latency.
An admin endpoint on a second port shows and changes the split; the split is also written to
a state file, from which a restarted proxy resumes.

Every forwarded request has ``upstream_timeout`` seconds for the backend's whole response:
past it the client gets ``504`` at once (or, if the response had begun, its connection is
closed), the backend connection is dropped, and the request is logged as a 504 of its
version — a hung instance is an erroring instance, and no client waits past the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

from hotfix.adapters.routers import http1
from hotfix.adapters.routers.pool import BackendError, BackendTimeout, Pool
from hotfix.adapters.routers.reqlog import RequestLog
from hotfix.adapters.routers.split import Chooser, cookie_value
from hotfix.ports import Split

IDLE_TIMEOUT = 75.0


@dataclass
class Proxy:
    log: RequestLog
    sticky_header: str = ""
    sticky_cookie: str = ""
    upstream_timeout: float = 30.0
    chooser: Chooser = field(default_factory=lambda: Chooser(Split({}, {})))
    pool: Pool = field(default_factory=Pool)
    in_flight: Counter[str] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)

    def apply(self, split: Split) -> None:
        self.chooser = Chooser(split)  # one assignment: every later request sees the new split

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (http1.ProtocolError, ConnectionError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, TimeoutError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await asyncio.wait_for(http1.read_head(reader), IDLE_TIMEOUT)
        if head is None:
            return False
        started, clock = time.time(), time.perf_counter()
        body = await http1.read_request_body(reader, head)
        chooser = self.chooser
        version = chooser.version(self._key(head))
        if version is None:
            await _reply(writer, 503, "no backend has traffic weight")
            return False
        self.in_flight[version] += 1
        status, keep = 502, False  # a response broken half-way counts as an error
        try:
            status, keep = await self._forward(chooser.backend(version), head, body, writer)
        finally:
            self.in_flight[version] -= 1
            self.served[version] += 1
            self.log.add(started, version, status, (time.perf_counter() - clock) * 1000.0)
        return keep and head.keep_alive()

    def _key(self, head: http1.Head) -> str | None:
        if self.sticky_header and (value := head.get(self.sticky_header)):
            return value
        if self.sticky_cookie:
            return cookie_value(head.get("cookie"), self.sticky_cookie)
        return None

    async def _forward(self, address: str, head: http1.Head, body: bytes,
                       writer: asyncio.StreamWriter) -> tuple[int, bool]:
        method = head.parts[0]
        deadline = asyncio.get_running_loop().time() + self.upstream_timeout
        try:
            conn, resp = await self.pool.exchange(address, _request_bytes(head, body), deadline)
        except BackendTimeout:
            await _reply(writer, 504, f"backend {address} did not answer within "
                                      f"{self.upstream_timeout:g} s")
            return 504, True
        except BackendError as exc:
            await _reply(writer, 502, f"backend {address} failed: {exc}")
            return 502, True
        framing, length = http1.response_framing(resp, method)
        client_keep = head.keep_alive() and framing != "close"
        headers = http1.forwardable(resp)
        if framing == "length":
            headers.append(("Content-Length", str(length)))
        elif framing == "chunked":
            headers.append(("Transfer-Encoding", "chunked"))
        headers.append(("Connection", "keep-alive" if client_keep else "close"))
        writer.write(http1.encode_head(resp.start, headers))
        try:
            async with asyncio.timeout_at(deadline):
                await http1.relay_body(conn.reader, writer, framing, length)
        except TimeoutError:
            conn.close()
            return 504, False  # the response had begun: the client's connection is cut
        except (ConnectionError, asyncio.IncompleteReadError):
            conn.close()
            raise
        await writer.drain()
        self.pool.release(address, conn, framing != "close" and resp.keep_alive())
        return int(resp.parts[1]), client_keep


def _request_bytes(head: http1.Head, body: bytes) -> bytes:
    headers = http1.forwardable(head)
    if body or head.parts[0] in ("POST", "PUT", "PATCH"):
        headers.append(("Content-Length", str(len(body))))
    headers.append(("Connection", "keep-alive"))
    return http1.encode_head(head.start, headers) + body


async def _reply(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    body = (text + "\n").encode()
    reason = {502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout"}.get(status, "Error")
    writer.write(http1.encode_head(
        f"HTTP/1.1 {status} {reason}",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]) + body)
    await writer.drain()
