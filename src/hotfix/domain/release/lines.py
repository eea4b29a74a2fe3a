"""Release lines: which ``MAJOR.MINOR`` lines exist, their tags, branch and support.

A line exists when it has a release tag (``lines.tag_pattern``) or a maintenance branch
(``lines.branch_patterns``: ``release/{line}``, ``{line}.x``, ``stable/{line}.x`` by
default). Whether it is supported comes from the declared support matrix
(``lines.support``): ``true``/``false``, or the last supported day as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hotfix.domain.release.versions import TagPattern, Version, VersionSyntaxError, line_key

_LINE_GROUP = r"(?P<major>0|[1-9][0-9]*)\.(?P<minor>0|[1-9][0-9]*)"


@dataclass(frozen=True)
class ReleaseLine:
    name: str  # "1.1"
    branch: str | None  # maintenance branch, e.g. "release/1.1" (or "origin/release/1.1")
    tags: tuple[str, ...]  # release tags, oldest → newest
    latest_tag: str | None
    supported: bool
    tip: str  # the ref whose history is the line: the branch if any, else the latest tag
    until: str | None = None  # last supported day (ISO), when the matrix gives one

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.name, "branch": self.branch, "tags": list(self.tags),
                "latest_tag": self.latest_tag, "supported": self.supported,
                "until": self.until, "tip": self.tip}


@dataclass(frozen=True)
class Support:
    supported: bool
    until: str | None = None


def branch_regexes(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    """``release/{line}`` → a regex with the groups major and minor."""
    out = []
    for pattern in patterns:
        if "{line}" not in pattern:
            raise VersionSyntaxError(f"branch pattern {pattern!r} must contain {{line}}")
        head, _, tail = pattern.partition("{line}")
        out.append(re.compile(re.escape(head) + _LINE_GROUP + re.escape(tail)))
    return out


def branch_line(branch: str, regexes: Iterable[re.Pattern[str]]) -> str | None:
    for regex in regexes:
        match = regex.fullmatch(branch)
        if match:
            return f"{int(match['major'])}.{int(match['minor'])}"
    return None


def support_of(name: str, matrix: Mapping[str, Any], default: bool, today: date) -> Support:
    """The support status of a line from the matrix; unknown lines get ``default``."""
    value = matrix.get(name, default)
    if isinstance(value, bool):
        return Support(value)
    until = value if isinstance(value, date) else _iso_date(name, value)
    return Support(today <= until, until.isoformat())


def _iso_date(name: str, value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise VersionSyntaxError(
            f"lines.support for {name!r} is {value!r}: use true, false or a date YYYY-MM-DD"
        ) from None


def build_lines(
    tags: Iterable[str],
    branches: Iterable[str],
    *,
    pattern: TagPattern,
    branch_patterns: Iterable[str],
    matrix: Mapping[str, Any],
    support_default: bool,
    today: date,
) -> list[ReleaseLine]:
    """Every line found in tag and branch names, oldest line first."""
    by_line: dict[str, list[tuple[Version, str]]] = {}
    for tag in tags:
        version = pattern.parse(tag)
        if version is not None:
            by_line.setdefault(version.line, []).append((version, tag))
    branch_of = _branches_by_line(branches, branch_regexes(branch_patterns))
    names = sorted(set(by_line) | set(branch_of), key=line_key)
    return [_line(n, sorted(by_line.get(n, [])), branch_of.get(n),
                  support_of(n, matrix, support_default, today)) for n in names]


def _branches_by_line(branches: Iterable[str], regexes: list[re.Pattern[str]]) -> dict[str, str]:
    """Line → branch. A local branch wins over a remote-tracking one (``origin/…``)."""
    found: dict[str, str] = {}
    for branch in branches:
        remote = branch.startswith("remotes/")
        short = branch.removeprefix("remotes/")
        name = branch_line(short.split("/", 1)[1] if remote and "/" in short else short, regexes)
        if name is not None and (name not in found or not remote):
            found[name] = short
    return found


def _line(name: str, tagged: list[tuple[Version, str]], branch: str | None,
          support: Support) -> ReleaseLine:
    tags = tuple(tag for _, tag in tagged)
    latest = tags[-1] if tags else None
    tip = branch or latest or ""
    return ReleaseLine(name, branch, tags, latest, support.supported, tip, support.until)


def find_line(lines: Iterable[ReleaseLine], name: str) -> ReleaseLine | None:
    return next((line for line in lines if line.name == name), None)


def ambiguous_latest(tags: Mapping[str, str], line: ReleaseLine,
                     pattern: TagPattern) -> list[str]:
    """Tags naming the line's latest version but pointing at different commits."""
    if line.latest_tag is None:
        return []
    latest = pattern.parse(line.latest_tag)
    same = [t for t in line.tags if pattern.parse(t) == latest]
    return same if len({tags.get(t) for t in same}) > 1 else []
