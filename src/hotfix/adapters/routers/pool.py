"""Kept-alive connections to backends, one idle list per address.

A request written to a reused connection that the backend had already closed (its
keep-alive timeout) is retried once on a fresh connection; a failure on a fresh connection
is the backend's failure (an instance that died counts as an error for its version). An
exchange has a deadline: a backend that does not answer by then is a ``BackendTimeout``, and
its connection is closed (never reused).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field

from hotfix.adapters.routers import http1

CONNECT_TIMEOUT = 2.0
MAX_IDLE = 64


class BackendError(Exception):
    """The backend could not be reached or broke the exchange before a response head."""


class BackendTimeout(BackendError):
    """The backend did not answer before the exchange's deadline."""


@dataclass
class Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


@dataclass
class Pool:
    idle: defaultdict[str, list[Conn]] = field(default_factory=lambda: defaultdict(list))

    async def exchange(self, address: str, request: bytes,
                       deadline: float) -> tuple[Conn, http1.Head]:
        """Send ``request``; the connection and the response head, by ``deadline`` (the
        event loop's clock)."""
        while self.idle[address]:
            conn = self.idle[address].pop()
            try:
                return conn, await self._send(conn, request, deadline)
            except _Stale:
                conn.close()  # the backend closed it while idle: nothing was processed
            except BackendError:
                conn.close()
                raise
        conn = await self._connect(address, deadline)
        try:
            return conn, await self._send(conn, request, deadline)
        except _Stale as exc:
            conn.close()
            raise BackendError(str(exc)) from None
        except BackendError:
            conn.close()
            raise

    def release(self, address: str, conn: Conn, reusable: bool) -> None:
        if reusable and len(self.idle[address]) < MAX_IDLE:
            self.idle[address].append(conn)
        else:
            conn.close()

    def close(self) -> None:
        for conns in self.idle.values():
            for conn in conns:
                conn.close()
        self.idle.clear()

    async def _connect(self, address: str, deadline: float) -> Conn:
        host, _, port = address.rpartition(":")
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(min(deadline, loop.time() + CONNECT_TIMEOUT)):
                reader, writer = await asyncio.open_connection(host, int(port),
                                                               limit=http1.MAX_HEAD)
        except (OSError, TimeoutError) as exc:
            raise BackendError(f"cannot connect: {exc or type(exc).__name__}") from None
        return Conn(reader, writer)

    async def _send(self, conn: Conn, request: bytes, deadline: float) -> http1.Head:
        try:
            async with asyncio.timeout_at(deadline):
                conn.writer.write(request)
                await conn.writer.drain()
                head = await http1.read_head(conn.reader)
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise _Stale(f"{type(exc).__name__}: {exc}") from None
        except TimeoutError:
            raise BackendTimeout("no response before the upstream timeout") from None
        except (OSError, asyncio.IncompleteReadError, http1.ProtocolError) as exc:
            raise BackendError(f"{type(exc).__name__}: {exc}") from None
        if head is None:
            raise _Stale("the backend closed the connection without answering")
        return head


class _Stale(Exception):
    """The connection was closed before any byte of a response: safe to send again."""
