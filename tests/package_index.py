"""A small package index on loopback, like pypiserver: ``PUT /upload/<file>`` stores a
distribution, ``GET /simple/`` and ``/simple/<project>/`` are the PEP 503 pages pip reads
(with ``#sha256=`` on each link), ``GET /packages/<file>`` downloads it.

It is a real HTTP server in a thread (``http.server``), so pip and the publish script talk
to it over TCP exactly as they would to a private index.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_FILE = re.compile(r"^[A-Za-z0-9_.\-+]+\.(whl|tar\.gz|zip)$")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Index:
    folder: Path
    url: str = ""
    uploads: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)

    @property
    def simple(self) -> str:
        return f"{self.url}/simple/"

    def project_of(self, filename: str) -> str:
        return normalized(filename.split("-", 1)[0])


def _handler(index: Index) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def _send(self, code: int, body: bytes, kind: str = "text/html") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self) -> None:
            name = self.path.removeprefix("/upload/")
            if not self.path.startswith("/upload/") or not _FILE.match(name):
                self._send(400, b"bad upload path\n", "text/plain")
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = index.folder / name
            if target.exists():
                self._send(409, b"that file exists; an index never replaces one\n",
                           "text/plain")
                return
            target.write_bytes(body)
            index.uploads.append(name)
            self._send(201, b"stored\n", "text/plain")

        def do_GET(self) -> None:
            files = sorted(p.name for p in index.folder.iterdir() if _FILE.match(p.name))
            if self.path in ("/simple", "/simple/"):
                names = sorted({index.project_of(f) for f in files})
                links = "".join(f'<a href="/simple/{n}/">{n}</a>\n' for n in names)
                self._send(200, f"<html><body>\n{links}</body></html>\n".encode())
            elif self.path.startswith("/simple/"):
                project = normalized(self.path.removeprefix("/simple/").strip("/"))
                links = "".join(
                    f'<a href="/packages/{f}#sha256='
                    f'{hashlib.sha256((index.folder / f).read_bytes()).hexdigest()}">{f}</a>\n'
                    for f in files if index.project_of(f) == project)
                if not links:
                    self._send(404, b"no such project\n", "text/plain")
                    return
                self._send(200, f"<html><body>\n{links}</body></html>\n".encode())
            elif self.path.startswith("/packages/"):
                name = self.path.removeprefix("/packages/")
                file = index.folder / name
                if not _FILE.match(name) or not file.is_file():
                    self._send(404, b"no such file\n", "text/plain")
                    return
                index.downloads.append(name)
                self._send(200, file.read_bytes(), "application/octet-stream")
            else:
                self._send(404, b"not found\n", "text/plain")

    return Handler


@contextmanager
def package_index(folder: Path) -> Iterator[Index]:
    """The index, serving ``folder``, on a free loopback port until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    index = Index(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(index))
    index.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
