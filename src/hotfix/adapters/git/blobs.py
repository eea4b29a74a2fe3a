"""Files at a commit, read byte-exact in one ``git cat-file --batch`` call; which blob a
path is at many commits, in one ``git cat-file --batch-check``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd


def python_files(root: Path, commit: str) -> dict[str, str]:
    """Every ``.py`` file at ``commit`` → its blob id (one ``ls-tree`` call)."""
    listing = cmd.out(["ls-tree", "-r", "-z", "--full-tree", commit], root)
    out: dict[str, str] = {}
    for entry in cmd.split_z(listing):
        meta, _, path = entry.partition("\t")
        kind, blob = meta.split(" ")[1:3]
        if kind == "blob" and path.endswith(".py"):
            out[path] = blob
    return out


def read_files(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
    """Text of each path at ``commit`` (None: absent, binary or not UTF-8), in one git call."""
    return dict(zip(paths, read_objects(root, [f"{commit}:{p}" for p in paths]), strict=True))


def blob_ids(root: Path, specs: Sequence[str]) -> list[str | None]:
    """The blob each ``commit:path`` names, in order (None: no such file there)."""
    if not specs:
        return []
    raw = cmd.pipe(["cat-file", "--batch-check=%(objectname) %(objecttype)"], None, root,
                   input="".join(f"{s}\n" for s in specs).encode("utf-8"))
    out: list[str | None] = []
    for row in raw.decode("utf-8", "replace").splitlines():
        sha, _, kind = row.rpartition(" ")
        out.append(sha if kind == "blob" else None)
    return out


def read_objects(root: Path, specs: Sequence[str]) -> list[str | None]:
    """Text of each object (``sha``, ``commit:path``): sizes are counted in bytes, so line
    endings and multi-byte characters never shift the next object."""
    if not specs:
        return []
    raw = cmd.pipe(["cat-file", "--batch"], None, root,
                   input="".join(f"{s}\n" for s in specs).encode("utf-8"))
    out: list[str | None] = []
    pos = 0
    for _ in specs:
        header_end = raw.index(b"\n", pos)
        header = raw[pos:header_end].split(b" ")
        pos = header_end + 1
        if len(header) < 3 or header[1] != b"blob":
            out.append(None)
            continue
        size = int(header[2])
        out.append(_text(raw[pos:pos + size]))
        pos += size + 1  # the body, then the newline git writes after it
    return out


def _text(body: bytes) -> str | None:
    if b"\0" in body:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None
