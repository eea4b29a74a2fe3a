"""Coverage maps on disk: one SQLite file per commit under ``<repo>/.hotfix/impact/``.

Schema: ``tests(id, nodeid, seconds, outcome)``, ``files(id, path)`` and
``cover(file, test, lines)`` where ``lines`` is a compact range list ("3-7,9,12-15").
Selection reads only the rows of the changed files, so it stays fast on big suites.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hotfix.domain.selection.select import CoverageMap

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tests (id INTEGER PRIMARY KEY, nodeid TEXT NOT NULL UNIQUE, seconds REAL,
                    outcome TEXT);
CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE cover (file INTEGER NOT NULL, test INTEGER NOT NULL, lines TEXT NOT NULL);
CREATE INDEX cover_file ON cover (file);
"""


@dataclass(frozen=True)
class MapInfo:
    commit: str
    path: Path
    tests: int
    recorded_at: str
    failed: int = 0  # tests that failed or errored while it was recorded

    def failures_note(self) -> str:
        if not self.failed:
            return ""
        return (f"; {self.failed} of its {self.tests} tests failed while it was recorded, "
                "so it misses what they would have run after failing: a change there may "
                "go unselected (fix them and record again)")


def map_dir(home: Path) -> Path:
    return home / ".hotfix" / "impact"


def map_path(home: Path, commit: str) -> Path:
    return map_dir(home) / f"{commit}.sqlite"


def save(path: Path, commit: str, tests: Mapping[str, tuple[float, str]],
         files: Mapping[str, Mapping[str, Iterable[int]]], recorded_at: str) -> None:
    """Write a map atomically.

    ``tests``: node id → (seconds, outcome); ``files``: path → node id → executed lines.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as db:
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("commit", commit), ("recorded_at", recorded_at)])
        ids = {t: i for i, t in enumerate(sorted(tests), start=1)}
        db.executemany("INSERT INTO tests VALUES (?, ?, ?, ?)",
                       [(i, t, *tests[t]) for t, i in ids.items()])
        for fid, (file, per_test) in enumerate(sorted(files.items()), start=1):
            db.execute("INSERT INTO files VALUES (?, ?)", (fid, file))
            db.executemany("INSERT INTO cover VALUES (?, ?, ?)",
                           [(fid, ids[t], pack(lines)) for t, lines in per_test.items()
                            if t in ids])
    db.close()
    tmp.replace(path)


def load(path: Path, files: Iterable[str]) -> CoverageMap:
    """The map's test list and the per-test lines of ``files`` only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        commit = db.execute("SELECT value FROM meta WHERE key='commit'").fetchone()[0]
        names = dict(db.execute("SELECT id, nodeid FROM tests").fetchall())
        per_file: dict[str, dict[str, frozenset[int]]] = {}
        for file in set(files):
            rows = db.execute("SELECT c.test, c.lines FROM cover c JOIN files f ON f.id = c.file"
                              " WHERE f.path = ?", (file,)).fetchall()
            if rows:
                per_file[file] = {names[t]: unpack(lines) for t, lines in rows}
    db.close()
    return CoverageMap(str(commit), tuple(names.values()), per_file)


def durations(path: Path) -> dict[str, float]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT nodeid, seconds FROM tests").fetchall()
    db.close()
    return {str(n): float(s or 0.0) for n, s in rows}


def available(home: Path) -> list[MapInfo]:
    """Every map recorded for this repository, newest first."""
    out = []
    for path in map_dir(home).glob("*.sqlite"):
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                count = db.execute("SELECT count(*) FROM tests").fetchone()[0]
                failed = db.execute("SELECT count(*) FROM tests WHERE outcome IN "
                                    "('failed', 'error')").fetchone()[0]
            db.close()
        except sqlite3.Error:
            continue
        out.append(MapInfo(str(meta["commit"]), path, int(count), str(meta["recorded_at"]),
                           int(failed)))
    return sorted(out, key=lambda m: m.recorded_at, reverse=True)


def pack(lines: Iterable[int]) -> str:
    """Sorted line numbers as ranges: [1, 2, 3, 7] → "1-3,7"."""
    out: list[str] = []
    ordered = sorted(set(lines))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(out)


def unpack(text: str) -> frozenset[int]:
    out: set[int] = set()
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return frozenset(out)
