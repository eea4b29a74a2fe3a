"""Versions: parse release tags, compare them, and reserve the next patch.

A release tag matches the configured pattern (``lines.tag_pattern``, a regular expression
with the named groups ``major``, ``minor`` and ``patch``; default ``v?MAJOR.MINOR.PATCH``).
The next patch of a line is reserved against *every* version already taken on that line —
local tags, remote tags, hotfix branches — so two hotfixes never get the same number and an
old line never collides with a tag somebody pushed from another clone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import total_ordering

_NUMBER = "0|[1-9][0-9]*"
DEFAULT_TAG_PATTERN = rf"^v?(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})\.(?P<patch>{_NUMBER})$"
DEFAULT_SCHEME = "X.Y.Z+1"
_SCHEME = re.compile(r"^X\.Y\.Z\+([1-9][0-9]*)$")
_LINE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


class VersionSyntaxError(ValueError):
    """A pattern, scheme or line name that cannot be used; the message says why."""


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int

    @property
    def line(self) -> str:
        return f"{self.major}.{self.minor}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    @classmethod
    def parse(cls, text: str) -> Version:
        """``1.2.3`` (no prefix) → Version; VersionSyntaxError otherwise."""
        parts = text.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise VersionSyntaxError(f"{text!r} is not a MAJOR.MINOR.PATCH version")
        return cls(int(parts[0]), int(parts[1]), int(parts[2]))


@dataclass(frozen=True)
class TagPattern:
    """The compiled ``lines.tag_pattern``."""

    regex: re.Pattern[str]

    @classmethod
    def compile(cls, pattern: str) -> TagPattern:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise VersionSyntaxError(f"tag pattern {pattern!r} is not a regex: {exc}") from None
        missing = {"major", "minor", "patch"} - set(regex.groupindex)
        if missing:
            raise VersionSyntaxError(
                f"tag pattern {pattern!r} lacks the named group(s) {', '.join(sorted(missing))}")
        return cls(regex)

    def parse(self, tag: str) -> Version | None:
        """The version a tag names, or None when the tag is not a release tag."""
        match = self.regex.fullmatch(tag)
        if match is None:
            return None
        return Version(int(match["major"]), int(match["minor"]), int(match["patch"]))

    def tag_like(self, template_tag: str, version: Version) -> str:
        """The tag for ``version`` written the way ``template_tag`` is (same prefix/suffix)."""
        match = self.regex.fullmatch(template_tag)
        if match is None:
            raise VersionSyntaxError(f"{template_tag!r} does not match the tag pattern")
        head, tail = template_tag[:match.start("major")], template_tag[match.end("patch"):]
        return f"{head}{version}{tail}"


def scheme_step(scheme: str) -> int:
    """The patch increment a scheme ``X.Y.Z+N`` asks for."""
    match = _SCHEME.fullmatch(scheme.strip())
    if match is None:
        raise VersionSyntaxError(
            f"version scheme {scheme!r} is not understood; use X.Y.Z+N (e.g. X.Y.Z+1)")
    return int(match.group(1))


def next_patch(base: Version, taken: Iterable[Version], scheme: str = DEFAULT_SCHEME) -> Version:
    """The next free patch of ``base``'s line, above every taken version of that line."""
    step = scheme_step(scheme)
    same_line = [v.patch for v in taken if v.line == base.line]
    top = max([base.patch, *same_line])
    return Version(base.major, base.minor, top + step)


def parse_line(text: str) -> tuple[int, int]:
    """``"1.2"`` → (1, 2); VersionSyntaxError for anything else."""
    match = _LINE.fullmatch(text.strip())
    if match is None:
        raise VersionSyntaxError(f"{text!r} is not a release line (expected MAJOR.MINOR, e.g. 1.2)")
    return int(match.group(1)), int(match.group(2))


def line_key(name: str) -> tuple[int, int]:
    """Sort key of a line name; lines compare numerically (1.10 after 1.9)."""
    return parse_line(name)
