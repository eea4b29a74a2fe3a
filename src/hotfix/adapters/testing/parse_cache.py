"""Analysed Python files cached by blob id, so a warm static selection parses nothing.

One pickle per repository, ``<repo>/.hotfix/impact/parsed-<key>.pickle``; ``key`` is a
hash of the analyser's own source, so a new hotfix never reads results of an older analysis.
Keyed by (path, blob id, is a test): the same content at another path is another module.
A damaged or unreadable cache is ignored and rewritten.

A module's blocks and statement spans (most of its size) are stored packed and unpacked on
first use: the import graph of a big repository needs only every module's imports and test
names, and selection then reads the blocks of the few modules a change reaches.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotfix.domain.selection import pysource
from hotfix.domain.selection.pysource import Block, ModuleInfo, SyntaxProblem

Key = tuple[str, str, bool]
Entries = dict[Key, ModuleInfo | SyntaxProblem]


def cache_path(home: Path) -> Path:
    digest = hashlib.sha256(Path(pysource.__file__).read_bytes()).hexdigest()[:12]
    return home / ".hotfix" / "impact" / f"parsed-{digest}.pickle"


_loaded: dict[Path, tuple[tuple[int, int], Entries]] = {}  # read once per process


def load(home: Path) -> Entries:
    path = cache_path(home)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if path in _loaded and _loaded[path][0] == stamp:
            return _loaded[path][1]
        with path.open("rb") as fh:
            stored = pickle.load(fh)
        found: Entries = {key: _unpacked(value) for key, value in stored.items()}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return {}
    _loaded[path] = (stamp, found)
    return found


def save(home: Path, entries: Mapping[Key, ModuleInfo | SyntaxProblem]) -> None:
    """Write atomically; entries of blobs no longer asked for are dropped by the caller."""
    path = cache_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("parsed-*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump({k: _packed(v) for k, v in entries.items()}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    stat = path.stat()
    _loaded[path] = ((stat.st_mtime_ns, stat.st_size), dict(entries))


def _packed(info: ModuleInfo | SyntaxProblem) -> object:
    if isinstance(info, SyntaxProblem):
        return info
    if isinstance(info, _LazyModule) and info.packed_body is not None:
        return (info.path, info.imports, info.tests, info.packed_body)
    body = pickle.dumps((info.blocks, info.spans), protocol=pickle.HIGHEST_PROTOCOL)
    return (info.path, info.imports, info.tests, body)


def _unpacked(value: Any) -> ModuleInfo | SyntaxProblem:
    if isinstance(value, SyntaxProblem):
        return value
    path, imports, tests, body = value
    return _LazyModule(path, imports, tests, body)


class _LazyModule(ModuleInfo):
    """A ``ModuleInfo`` whose blocks and spans are unpickled when first read."""

    def __init__(self, path: str, imports: Any, tests: Any, body: bytes) -> None:
        self.__dict__.update(path=path, imports=imports, tests=tests, _packed=body, _body=None)

    @property
    def blocks(self) -> tuple[Block, ...]:
        return self._open()[0]

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self._open()[1]

    def _open(self) -> tuple[tuple[Block, ...], tuple[tuple[int, int], ...]]:
        body: Any = self.__dict__["_body"]
        if body is None:
            body = pickle.loads(self.__dict__["_packed"])
            self.__dict__["_body"] = body
        return body  # type: ignore[no-any-return]

    @property
    def packed_body(self) -> bytes | None:
        found: bytes | None = self.__dict__.get("_packed")
        return found
