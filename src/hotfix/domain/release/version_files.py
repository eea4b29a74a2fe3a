"""Rewrite the version a project declares in its version files (pure text in, text out).

Known shapes, chosen by the file name:

- ``pyproject.toml``: ``version = "…"`` in ``[project]`` or ``[tool.poetry]``
- ``package.json``: the top-level ``"version": "…"``
- ``VERSION`` (or ``VERSION.txt``): the whole file
- ``*.py`` (``__init__.py``, ``_version.py``, …): ``__version__ = "…"``

A file without such a slot is left alone (``bump`` returns ``None`` as the old value), so a
project that derives its version from tags loses nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_TOML_SECTIONS = ("[project]", "[tool.poetry]")
_TOML_VERSION = re.compile(r"""^(\s*version\s*=\s*)(["'])([^"']*)(\2)""")
_PY_VERSION = re.compile(r"""^(__version__\s*(?::\s*str\s*)?=\s*)(["'])([^"']*)(\2)""", re.M)


@dataclass(frozen=True)
class Bump:
    text: str
    old: str | None  # the version the file declared; None when it declares none


def kind_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    if name == "pyproject.toml":
        return "pyproject"
    if name == "package.json":
        return "package.json"
    if name in ("VERSION", "VERSION.txt"):
        return "plain"
    if name.endswith(".py"):
        return "python"
    return None


def bump(path: str, text: str, new: str) -> Bump:
    """``text`` with its declared version set to ``new``."""
    kind = kind_of(path)
    if kind == "pyproject":
        return _pyproject(text, new)
    if kind == "package.json":
        return _package_json(text, new)
    if kind == "plain":
        return _plain(text, new)
    if kind == "python":
        return _sub_first(_PY_VERSION, text, new)
    return Bump(text, None)


def _pyproject(text: str, new: str) -> Bump:
    lines = text.splitlines(keepends=True)
    section = ""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("#", 1)[0].strip()
            continue
        match = _TOML_VERSION.match(line)
        if section in _TOML_SECTIONS and match:
            lines[index] = line[:match.start(3)] + new + line[match.end(3):]
            return Bump("".join(lines), match.group(3))
    return Bump(text, None)


def _package_json(text: str, new: str) -> Bump:
    try:
        data = json.loads(text)
    except ValueError:
        return Bump(text, None)
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return Bump(text, None)
    old = str(data["version"])
    pattern = re.compile(r'("version"\s*:\s*")' + re.escape(old) + '(")')
    return Bump(pattern.sub(lambda m: m.group(1) + new + m.group(2), text, count=1), old)


def _plain(text: str, new: str) -> Bump:
    old = text.strip()
    if not old or "\n" in old:
        return Bump(text, None)
    return Bump(new + ("\n" if text.endswith("\n") else ""), old)


def _sub_first(pattern: re.Pattern[str], text: str, new: str) -> Bump:
    match = pattern.search(text)
    if match is None:
        return Bump(text, None)
    return Bump(text[:match.start(3)] + new + text[match.end(3):], match.group(3))


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A repository-relative glob: ``*`` stays within a directory, ``**/`` spans any."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif pattern[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif pattern[index] == "?":
            out, index = out + "[^/]", index + 1
        else:
            out, index = out + re.escape(pattern[index]), index + 1
    return re.compile(out)


def matching(paths: list[str], patterns: list[str]) -> list[str]:
    regexes = [glob_regex(p) for p in patterns]
    return [p for p in paths if any(r.fullmatch(p) for r in regexes)]
