"""Just enough HTTP/1.1 for a reverse proxy over asyncio streams.

Message heads are read whole; bodies are framed by ``Content-Length``, ``chunked`` transfer
coding, or (responses only) the end of the connection, and relayed without being decoded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "te", "trailer",
                        "upgrade", "transfer-encoding", "content-length"})
MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024


class ProtocolError(Exception):
    """The peer sent something that is not HTTP/1.x we can relay."""


@dataclass
class Head:
    start: str  # request line or status line
    headers: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def tokens(self, name: str) -> set[str]:
        return {t.strip().lower() for t in (self.get(name) or "").split(",") if t.strip()}

    @property
    def parts(self) -> list[str]:
        return self.start.split(" ", 2)

    def keep_alive(self) -> bool:
        """Whether the sender allows the connection to be reused after this message."""
        version = self.parts[0] if self.parts[0].startswith("HTTP/") else self.parts[-1]
        conn = self.tokens("connection")
        if version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


async def read_head(reader: asyncio.StreamReader) -> Head | None:
    """The next message head, or None on a clean end of stream before it."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise ProtocolError("connection closed inside a message head") from None
    except asyncio.LimitOverrunError:
        raise ProtocolError("message head too large") from None
    lines = raw.decode("latin-1").split("\r\n")
    head = Head(lines[0])
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise ProtocolError(f"malformed header line {line[:60]!r}")
            head.headers.append((name.strip(), value.strip()))
    return head


def encode_head(start: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def forwardable(head: Head) -> list[tuple[str, str]]:
    """Headers minus hop-by-hop ones and those the Connection header names."""
    named = head.tokens("connection")
    return [(k, v) for k, v in head.headers if k.lower() not in HOP_BY_HOP | named]


async def read_request_body(reader: asyncio.StreamReader, head: Head) -> bytes:
    if "chunked" in head.tokens("transfer-encoding"):
        return await _read_chunked(reader)
    length = _content_length(head)
    if length > MAX_BODY:
        raise ProtocolError(f"request body of {length} bytes is over the limit")
    return await reader.readexactly(length) if length else b""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers are dropped
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
        if len(body) > MAX_BODY:
            raise ProtocolError("chunked request body is over the limit")


def _content_length(head: Head) -> int:
    raw = head.get("content-length")
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        raise ProtocolError(f"bad Content-Length {raw!r}") from None


def response_framing(head: Head, method: str) -> tuple[str, int]:
    """How the response body is delimited: ("none"|"length"|"chunked"|"close", length)."""
    status = int(head.parts[1])
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return "none", 0
    if "chunked" in head.tokens("transfer-encoding"):
        return "chunked", 0
    if head.get("content-length") is not None:
        return "length", _content_length(head)
    return "close", 0


async def relay_body(src: asyncio.StreamReader, dst: asyncio.StreamWriter,
                     framing: str, length: int) -> None:
    """Copy a response body as framed, unchanged (chunk sizes included)."""
    if framing == "length":
        await _copy_exactly(src, dst, length)
    elif framing == "chunked":
        while True:
            line = await src.readuntil(b"\r\n")
            dst.write(line)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            await _copy_exactly(src, dst, size + 2)
        while (line := await src.readuntil(b"\r\n")) != b"\r\n":
            dst.write(line)
        dst.write(b"\r\n")
    elif framing == "close":
        while chunk := await src.read(65536):
            dst.write(chunk)
            await dst.drain()


async def _copy_exactly(src: asyncio.StreamReader, dst: asyncio.StreamWriter, n: int) -> None:
    while n > 0:
        chunk = await src.read(min(n, 65536))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", n)
        dst.write(chunk)
        n -= len(chunk)
        if n > 0:
            await dst.drain()
