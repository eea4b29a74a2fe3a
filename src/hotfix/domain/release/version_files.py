"""Rewrite the version a project declares in its version files (pure text in, text out).

Known shapes, chosen by the file name:

- ``pyproject.toml``: ``version = "…"`` in ``[project]`` or ``[tool.poetry]``
- ``package.json``: the top-level ``"version": "…"``
- ``VERSION`` (or ``VERSION.txt``): the whole file
- ``*.py`` (``__init__.py``, ``_version.py``, …): ``__version__ = "…"``
- ``Cargo.toml``: ``version = "…"`` in ``[package]`` (or ``[workspace.package]``)

A file without such a slot is left alone (``bump`` returns ``None`` as the old value), so a
project that derives its version from tags loses nothing.

A manifest's lock file records the project's own version too, and is bumped with it
(``lock_of``, ``bump_lock``): ``uv.lock`` (the ``[[package]]`` of the project's name, next to
``pyproject.toml``), ``package-lock.json`` (its top-level ``version`` and the root
``packages[""]``), ``Cargo.lock`` (the ``[[package]]`` of the crate). ``poetry.lock`` lists
only dependencies, never the project itself, so a release leaves it as it is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_TOML_SECTIONS = ("[project]", "[tool.poetry]", "[package]", "[workspace.package]")
_TOML_NAME = re.compile(r"""^\s*name\s*=\s*(["'])([^"']*)\1""")
LOCKS = {"pyproject.toml": "uv.lock", "package.json": "package-lock.json",
         "Cargo.toml": "Cargo.lock"}
_TOML_VERSION = re.compile(r"""^(\s*version\s*=\s*)(["'])([^"']*)(\2)""")
_PY_VERSION = re.compile(r"""^(__version__\s*(?::\s*str\s*)?=\s*)(["'])([^"']*)(\2)""", re.M)


@dataclass(frozen=True)
class Bump:
    text: str
    old: str | None  # the version the file declared; None when it declares none


def kind_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    if name in ("pyproject.toml", "Cargo.toml"):
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


def lock_of(manifest: str) -> str | None:
    """The lock file beside ``manifest`` that records the project's version, if any kind."""
    head, _, name = manifest.rpartition("/")
    lock = LOCKS.get(name)
    return None if lock is None else (f"{head}/{lock}" if head else lock)


def manifest_name(path: str, text: str) -> str | None:
    """The project's name in a TOML manifest (``[project]``, ``[tool.poetry]``, ``[package]``)."""
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.split("#", 1)[0].strip()
            continue
        match = _TOML_NAME.match(line)
        if section in _TOML_SECTIONS and match:
            return match.group(2)
    return None


def bump_lock(path: str, text: str, project: str | None, old: str, new: str) -> Bump:
    """The lock file ``text`` with the project's own entry moved from ``old`` to ``new``."""
    if path.rsplit("/", 1)[-1] == "package-lock.json":
        return _package_lock(text, old, new)
    if project is None:
        return Bump(text, None)
    return _toml_lock(text, project, old, new)


def _toml_lock(text: str, project: str, old: str, new: str) -> Bump:
    """``uv.lock``/``Cargo.lock``: the ``version`` of the ``[[package]]`` named ``project``."""
    lines = text.splitlines(keepends=True)
    ours = False
    wanted = {project, project.replace("_", "-").lower(), project.replace("-", "_")}
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            ours = False
            continue
        name = _TOML_NAME.match(line)
        if name:
            ours = name.group(2) in wanted or name.group(2).lower() in wanted
            continue
        match = _TOML_VERSION.match(line)
        if ours and match and match.group(3) == old:
            lines[index] = line[:match.start(3)] + new + line[match.end(3):]
            return Bump("".join(lines), old)
    return Bump(text, None)


def _package_lock(text: str, old: str, new: str) -> Bump:
    """``package-lock.json``: the top-level version and the root package's (``""``)."""
    try:
        data = json.loads(text)
    except ValueError:
        return Bump(text, None)
    if not isinstance(data, dict) or data.get("version") != old:
        return Bump(text, None)
    pattern = re.compile(r'("version"\s*:\s*")' + re.escape(old) + '(")')
    count = 2 if isinstance(data.get("packages"), dict) and isinstance(
        data["packages"].get(""), dict) and data["packages"][""].get("version") == old else 1
    return Bump(pattern.sub(lambda m: m.group(1) + new + m.group(2), text, count=count), old)


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
