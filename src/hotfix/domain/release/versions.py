"""Versions: parse release tags, compare them, and reserve the next patch.

A release tag matches the configured pattern (``lines.tag_pattern``, a regular expression
with the named groups ``major`` and ``minor``, optionally ``patch`` and ``pre``). The default
takes ``v1.2.3``, ``1.2.3``, two-part and calendar versions (``24.1``, ``2024.10``: patch 0)
and pre-releases (``1.3.0rc1``, ``v2.0.0-beta.2``): a pre-release sorts before its release.
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
DEFAULT_TAG_PATTERN = (rf"^v?(?P<major>{_NUMBER})\.(?P<minor>{_NUMBER})(?:\.(?P<patch>{_NUMBER}))?"
                       r"(?P<pre>[-.]?(?:a|b|c|rc|alpha|beta|pre|dev)\.?[0-9]*)?$")
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
    pre: str = ""  # "rc1", "-beta.2": a pre-release of this version (sorts before it)

    @property
    def line(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_pre(self) -> bool:
        return bool(self.pre)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}{self.pre}"

    def _key(self) -> tuple[int, int, int, int, int]:
        """Pre-releases before the release: dev < alpha < beta < rc, then by number."""
        label = self.pre.lstrip("-.").lower()
        digits = "".join(ch for ch in label if ch.isdigit())
        rank = {"d": 0, "a": 1, "b": 2}.get(label[:1], 3) if label else 4
        return (self.major, self.minor, self.patch, rank, int(digits) if digits else 0)

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
        missing = {"major", "minor"} - set(regex.groupindex)
        if missing:
            raise VersionSyntaxError(
                f"tag pattern {pattern!r} lacks the named group(s) {', '.join(sorted(missing))}")
        return cls(regex)

    def parse(self, tag: str) -> Version | None:
        """The version a tag names, or None when the tag is not a release tag."""
        match = self.regex.fullmatch(tag)
        if match is None:
            return None
        groups = match.groupdict()
        return Version(int(match["major"]), int(match["minor"]), int(groups.get("patch") or 0),
                       groups.get("pre") or "")

    def tag_like(self, template_tag: str, version: Version) -> str:
        """The tag for ``version`` written the way ``template_tag`` is (same prefix/suffix;
        ``24.1`` → ``24.1.1``, ``v1.2.0rc1`` → ``v1.2.1``)."""
        match = self.regex.fullmatch(template_tag)
        if match is None:
            raise VersionSyntaxError(f"{template_tag!r} does not match the tag pattern")
        ends = [match.end(g) for g in ("major", "minor", "patch", "pre")
                if g in self.regex.groupindex and match.group(g) is not None]
        head, tail = template_tag[:match.start("major")], template_tag[max(ends):]
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
    same_line = [v.patch for v in taken if v.line == base.line and not v.is_pre]
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
