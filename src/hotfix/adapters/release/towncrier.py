"""Release notes for a towncrier project: a news fragment per fix, compiled by ``towncrier build``.

A project is a towncrier project when its ``towncrier.toml`` or ``pyproject.toml`` has a
``[tool.towncrier]`` table. Its notes are then not written by hotfix: each fix becomes a
fragment ``+HF-N-<sha>.bugfix`` (an orphan fragment: towncrier prints no issue number; the
text ends with the entry's identity ``(HF-N, <sha>)``, so a fix the news file lists already
gets none) in the project's fragment directory, and ``towncrier build --version V --date D
--yes`` compiles every fragment (the fix's own ones too) into the news file in the
project's template, removing the fragments. towncrier is a dependency of hotfix and runs as
``python -m towncrier`` with the Python hotfix runs on.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.domain.release.notes import NoteEntry, present
from hotfix.errors import NotConfigured, PolicyViolation

DEFAULT_TYPES = ("feature", "bugfix", "doc", "removal", "misc")
TIMEOUT = 300.0


@dataclass(frozen=True)
class Towncrier:
    config: str  # the file holding [tool.towncrier], relative to the worktree
    directory: str  # the fragment directory, relative to the worktree
    news: str  # the news file towncrier writes (``filename``)
    kind: str  # the fragment type used for a fix


def detect(tree: Path) -> Towncrier | None:
    """The project's towncrier setup, or None when it does not use towncrier."""
    for name in ("towncrier.toml", "pyproject.toml"):
        file = tree / name
        if not file.is_file():
            continue
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        table = data.get("tool", {}).get("towncrier")
        if isinstance(table, dict):
            return _setup(name, table)
    return None


def _setup(config: str, table: Mapping[str, Any]) -> Towncrier:
    directory = table.get("directory")
    if not isinstance(directory, str):
        package = str(table.get("package", ""))
        if not package:
            raise NotConfigured(
                f"{config} configures towncrier with neither `directory` nor `package`, so "
                "hotfix cannot tell where its news fragments go",
                hint=f'set [tool.towncrier] directory = "newsfragments" in {config}')
        directory = "/".join(p for p in (str(table.get("package_dir", ".")), package,
                                         "newsfragments") if p and p != ".")
    return Towncrier(config, directory.strip("/"), str(table.get("filename", "NEWS.rst")),
                     _kind(table))


def _kind(table: Mapping[str, Any]) -> str:
    """``bugfix`` when the project has that type, else its first type."""
    types = [str(t.get("directory")) for t in table.get("type", []) if isinstance(t, dict)
             and t.get("directory")]
    fragment = table.get("fragment")
    if isinstance(fragment, dict):
        types += [str(k) for k in fragment]
    types = types or list(DEFAULT_TYPES)
    return "bugfix" if "bugfix" in types else types[0]


def fragment_name(setup: Towncrier, entry: NoteEntry) -> str:
    return f"{setup.directory}/+{entry.key}-{entry.source[:12]}.{setup.kind}"


def write_fragments(tree: Path, setup: Towncrier,
                    entries: Iterable[NoteEntry]) -> list[NoteEntry]:
    """One fragment per entry the news file does not list yet; the entries written."""
    news = tree / setup.news
    compiled = news.read_text(encoding="utf-8") if news.is_file() else ""
    added: list[NoteEntry] = []
    for entry in entries:
        if present(compiled, entry) or entry in added:
            continue
        file = tree / fragment_name(setup, entry)
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"{entry.subject} {entry.identity()}\n", encoding="utf-8")
        added.append(entry)
    return added


def build(tree: Path, setup: Towncrier, version: str, day: str) -> None:
    """``towncrier build``: compile the fragments into the news file, remove them."""
    args = [sys.executable, "-m", "towncrier", "build", "--config", setup.config,
            "--dir", ".", "--version", version, "--date", day, "--yes"]
    try:
        proc = subprocess.run(args, cwd=tree, capture_output=True, text=True, check=False,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PolicyViolation(f"towncrier build ran longer than {TIMEOUT:.0f}s in {tree}",
                              hint="run it by hand to see why: python -m towncrier build "
                                   f"--draft --version {version}") from None
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip()[-1500:]
        raise PolicyViolation(
            f"towncrier build failed in {tree} (exit {proc.returncode}):\n{output}",
            hint=f"fix the towncrier setup ({setup.config}) or the fragments in "
                 f"{setup.directory}, then: hotfix resume")
