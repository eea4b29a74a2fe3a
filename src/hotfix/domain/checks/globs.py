"""Path globs with gitignore-like meaning, for repository-relative POSIX paths.

- ``*`` matches within one path segment, ``?`` one character, ``**`` any number of
  segments (``checkout/**`` is everything under ``checkout/``; ``**/migrations/**`` any
  ``migrations`` directory at any depth).
- A pattern without ``/`` matches the file's name at any depth (``*.js``, ``conftest.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().lstrip("/")
    if "/" not in pattern:
        pattern = "**/" + pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str) -> bool:
    return compile_glob(pattern).match(path) is not None


def first_match(patterns: Iterable[str], path: str) -> str | None:
    """The first pattern that matches ``path``, or None."""
    for pattern in patterns:
        if matches(pattern, path):
            return pattern
    return None
