"""Router-observed metrics: the request log of the builtin router or nginx, read as it grows.

Only whole lines are consumed (a line being written is left for the next poll). The cursor
is a byte offset: a source built with the offset saved when a rollout began replays every
request since then, which is how a resumed controller gets its evidence back.

``from_log`` opens the source a router describes (``Router.request_log``); ``PARSERS``
holds a reader per log format.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from hotfix.ports import Observations, RequestLogFile

Row = tuple[float, str, int, float]  # (start time, version, status, latency ms)
Parser = Callable[[bytes], Iterable[Row]]


class RouterLogMetrics:
    def __init__(self, path: Path, canary: str, baseline: str, parse: Parser,
                 offset: int | None = None) -> None:
        self.path, self.canary, self.baseline, self.parse = path, canary, baseline, parse
        self.offset = offset if offset is not None else _size(path)
        self.malformed = 0

    def cursor(self) -> dict[str, Any]:
        return {"offset": self.offset}

    def poll(self) -> Observations:
        rows: list[Row] = []
        for line in self._new_lines():
            try:
                rows.extend(r for r in self.parse(line) if r[1] in (self.canary, self.baseline))
            except (ValueError, KeyError, TypeError):
                self.malformed += 1
        return observations(rows, self.canary)

    def _new_lines(self) -> list[bytes]:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.offset += end
        return data[:end].splitlines()


def observations(rows: list[Row], canary: str) -> Observations:
    if not rows:
        return Observations()
    return Observations(
        t=np.array([r[0] for r in rows], dtype=float),
        canary=np.array([r[1] == canary for r in rows], dtype=bool),
        ok=np.array([r[2] < 500 for r in rows], dtype=bool),
        latency_ms=np.array([r[3] for r in rows], dtype=float),
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def parse_builtin(line: bytes) -> list[Row]:
    d = json.loads(line)
    return [(float(d["t"]), str(d["version"]), int(d["status"]), float(d["ms"]))]


class NginxParser:
    """nginx JSON access-log lines; each upstream attempt is a row for its address's version."""

    def __init__(self, addresses_path: Path) -> None:
        self.addresses_path = addresses_path
        self.versions: dict[str, str] = {}

    def __call__(self, line: bytes) -> list[Row]:
        d = json.loads(line)
        addrs = [a.strip() for a in d["upstream"].split(",")]
        statuses = [s.strip() for s in d["upstream_status"].split(",")]
        times = [s.strip() for s in d["upstream_time"].split(",")]
        start = float(d["msec"]) - float(d["request_time"] or 0)
        rows = []
        for addr, status, seconds in zip(addrs, statuses, times, strict=False):
            version = self._version(addr)
            if version and status.isdigit():
                ms = float(seconds) * 1000.0 if seconds not in ("", "-") else 0.0
                rows.append((start, version, int(status), ms))
        return rows

    def _version(self, address: str) -> str | None:
        if address not in self.versions and self.addresses_path.exists():
            self.versions = json.loads(self.addresses_path.read_text())
        return self.versions.get(address)


def _nginx(log: RequestLogFile) -> Parser:
    if log.addresses is None:
        raise ValueError(f"an nginx log needs its address map: {log.path}")
    return NginxParser(log.addresses)


PARSERS: dict[str, Callable[[RequestLogFile], Parser]] = {
    "builtin": lambda log: parse_builtin,
    "nginx": _nginx,
}


def from_log(log: RequestLogFile, canary: str, baseline: str,
             offset: int | None = None) -> RouterLogMetrics:
    """The source reading ``log``; from ``offset`` (a cursor's), or from its end."""
    return RouterLogMetrics(log.path, canary, baseline, PARSERS[log.format](log), offset)
