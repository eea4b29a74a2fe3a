"""The builtin router's process: the proxy on one port, its admin endpoint on another.

    python -m hotfix.adapters.routers.proxy_server --listen 127.0.0.1:8080 \\
        --admin 127.0.0.1:8081 --log requests.jsonl --state router.json

Admin endpoint (loopback only):
    GET  /state     {"pid", "listen", "split": {"backends", "weights"}, "in_flight", "served"}
    PUT  /state     body {"backends": {...}, "weights": {...}}: the new split, live at once
    POST /shutdown  stop serving (in-flight requests finish first)

The state file holds the same JSON as ``GET /state``, rewritten on every change; a proxy
started with a state file that exists resumes its split.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from hotfix.adapters.routers import http1
from hotfix.adapters.routers.proxy import Proxy
from hotfix.adapters.routers.reqlog import RequestLog
from hotfix.ports import Split


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.state_path = Path(args.state)
        self.proxy = Proxy(RequestLog(Path(args.log)), args.sticky_header, args.sticky_cookie,
                           args.upstream_timeout)
        self.split = Split({}, {})
        self.stopping = asyncio.Event()

    def state(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "listen": self.args.listen, "admin": self.args.admin,
                "log": self.args.log, "split": self.split.to_dict(),
                "upstream_timeout": self.proxy.upstream_timeout,
                "in_flight": {k: v for k, v in self.proxy.in_flight.items() if v},
                "served": dict(self.proxy.served)}

    def apply(self, split: Split) -> None:
        self.proxy.apply(split)
        self.split = split
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state(), indent=1))
        tmp.replace(self.state_path)

    def restore(self) -> None:
        with contextlib.suppress(FileNotFoundError, KeyError, ValueError):
            self.apply(Split.from_dict(json.loads(self.state_path.read_text())["split"]))

    async def admin(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await http1.read_head(reader)
            if head is not None:
                body = await http1.read_request_body(reader, head)
                status, out = self._admin_route(head.parts[0], head.parts[1], body)
                payload = json.dumps(out).encode()
                writer.write(http1.encode_head(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}",
                    [("Content-Type", "application/json"),
                     ("Content-Length", str(len(payload))), ("Connection", "close")]) + payload)
                await writer.drain()
        except (http1.ProtocolError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _admin_route(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        if (method, path) == ("GET", "/state"):
            return 200, self.state()
        if (method, path) == ("PUT", "/state"):
            try:
                self.apply(Split.from_dict(json.loads(body)))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return 400, {"error": f"bad split: {exc}"}
            return 200, self.state()
        if (method, path) == ("POST", "/shutdown"):
            self.stopping.set()
            return 200, {"stopping": True}
        return 404, {"error": f"no route {method} {path}"}

    async def run(self) -> None:
        self.restore()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        host, port = _split(self.args.listen)
        ahost, aport = _split(self.args.admin)
        main = await asyncio.start_server(self.proxy.handle, host, port, limit=http1.MAX_HEAD,
                                          backlog=1024)
        admin = await asyncio.start_server(self.admin, ahost, aport)
        self.apply(self.split)  # the state file now says we are listening
        flusher = asyncio.create_task(self.proxy.log.flush_forever())
        await self.stopping.wait()
        main.close()
        admin.close()
        await _drain(self.proxy, 10.0)
        flusher.cancel()
        self.proxy.log.flush()
        self.proxy.pool.close()


async def _drain(proxy: Proxy, timeout: float) -> None:
    for _ in range(int(timeout / 0.05)):
        if not any(proxy.in_flight.values()):
            return
        await asyncio.sleep(0.05)


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hotfix-proxy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--sticky-header", default="")
    parser.add_argument("--sticky-cookie", default="")
    parser.add_argument("--upstream-timeout", type=float, default=30.0,
                        help="seconds for a backend's whole response; then 504")
    asyncio.run(Server(parser.parse_args(argv)).run())


if __name__ == "__main__":
    main()
