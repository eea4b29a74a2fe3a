"""Analysed Python files cached by blob id, so a warm static selection parses nothing.

One pickle per repository, ``<repo>/.hotfix/impact/parsed-<key>.pickle``; ``key`` is a
hash of the analyser's own source, so a new hotfix never reads results of an older analysis.
Keyed by (path, blob id, is a test): the same content at another path is another module.
A damaged or unreadable cache is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

from hotfix.domain.selection import pysource
from hotfix.domain.selection.pysource import ModuleInfo, SyntaxProblem

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
            found = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return {}
    if not isinstance(found, dict):
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
        pickle.dump(dict(entries), fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    stat = path.stat()
    _loaded[path] = ((stat.st_mtime_ns, stat.st_size), dict(entries))
