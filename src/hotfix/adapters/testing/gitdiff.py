"""Reading diffs and file versions out of git, through the one git seam."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.domain.diffs import FileChange, combine, parse_name_status, parse_patch
from hotfix.errors import NotFound

_DIFF = ["-c", "core.quotepath=off", "diff", "--no-color", "--no-ext-diff", "-M", "--no-textconv"]


def rev(root: Path, name: str) -> str:
    """The full commit sha of ``name``; a clear error when it does not exist."""
    proc = cmd.run(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], root, check=False)
    if proc.returncode != 0:
        raise NotFound(f"no commit {name!r} in {root}",
                       hint="list tags and branches: git tag; git branch -a")
    return proc.stdout.strip()


def diff(root: Path, base: str, head: str) -> list[FileChange]:
    """The files changed from ``base`` to ``head``, with their hunks."""
    statuses = parse_name_status(cmd.out([*_DIFF, "--name-status", "-z", base, head], root))
    patches = parse_patch(cmd.run([*_DIFF, "-U0", base, head], root).stdout)
    return combine(statuses, patches)


def changed_paths(root: Path, base: str, head: str) -> list[str]:
    return cmd.split_z(cmd.out([*_DIFF, "--name-only", "-z", base, head], root))


def python_files(root: Path, commit: str) -> list[str]:
    listing = cmd.out(["ls-tree", "-r", "-z", "--name-only", commit], root)
    return [p for p in cmd.split_z(listing) if p.endswith(".py")]


def read_files(root: Path, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
    """Text of each path at ``commit`` (None: absent, binary or not UTF-8), in one git call."""
    if not paths:
        return {}
    spec = "".join(f"{commit}:{p}\n" for p in paths)
    try:
        text = cmd.run(["cat-file", "--batch"], root, input=spec).stdout
    except UnicodeDecodeError:
        return {p: _read_one(root, commit, p) for p in paths}
    return _split_batch(text, list(paths))


def _split_batch(text: str, paths: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    pos = 0
    for i, path in enumerate(paths):
        header_end = text.index("\n", pos)
        header = text[pos:header_end].split(" ")
        if len(header) < 3 or header[1] != "blob":
            out[path] = None
            pos = header_end + 1
            continue
        body_start = header_end + 1
        end = _body_end(text, body_start, int(header[2]), last=i == len(paths) - 1)
        out[path] = text[body_start:end]
        pos = end + 1
    return out


def _body_end(text: str, start: int, size: int, *, last: bool) -> int:
    """Where a blob of ``size`` bytes ends; exact for ASCII, searched for other UTF-8."""
    guess = start + size
    if text[start:guess].isascii() and (last or text.startswith("\n", guess)):
        return guess
    consumed, i = 0, start
    while consumed < size and i < len(text):
        consumed += len(text[i].encode("utf-8", "surrogatepass"))
        i += 1
    return i


def _read_one(root: Path, commit: str, path: str) -> str | None:
    try:
        proc = cmd.run(["show", f"{commit}:{path}"], root, check=False)
    except UnicodeDecodeError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def repo_home(path: Path) -> Path:
    """The main work tree of the repository at ``path`` (the same from every linked worktree)."""
    common = Path(cmd.out(["rev-parse", "--path-format=absolute", "--git-common-dir"], path))
    return common.parent if common.name == ".git" else cmd.repo_root(path)
