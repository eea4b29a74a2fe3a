"""Release lines: which ``MAJOR.MINOR`` lines exist, their tags, branch and support.

A line exists when it has a release tag (``lines.tag_pattern``; a pre-release such as
``2.0.0rc1`` counts) or a maintenance branch (``lines.branch_patterns``: ``release/{line}``,
``{line}``, ``{line}.x``, ``stable/{line}.x`` by default). A floating branch (``stable``)
serves the line of its newest release; it is that line's branch when the line has none.
Whether a line is supported comes from the declared support matrix (``lines.support``):
``true``/``false``, or the last supported day as ``YYYY-MM-DD``; a line not listed is
supported while its newest release is younger than ``lines.support_months``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
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
    until: str | None = None  # last supported day (ISO), when the matrix or the age gives one
    prerelease: str | None = None  # the newest pre-release tag, when newer than latest_tag
    aliases: tuple[str, ...] = ()  # floating branches serving this line (``stable``)

    @property
    def newest_tag(self) -> str | None:
        """The newest release or pre-release tag."""
        return self.tags[-1] if self.tags else None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.name, "branch": self.branch, "tags": list(self.tags),
                "latest_tag": self.latest_tag, "prerelease": self.prerelease,
                "supported": self.supported, "until": self.until, "tip": self.tip,
                "aliases": list(self.aliases)}


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


def support_of(name: str, matrix: Mapping[str, Any], default: bool, today: date,
               released: date | None = None, months: int = 0) -> Support:
    """The support status of a line from the matrix. A line not listed gets ``default``,
    and with ``months`` > 0 only while its newest release (``released``) is younger than
    that many months; a line without a release yet is supported."""
    if name not in matrix and default and months > 0 and released is not None:
        until = add_months(released, months)
        return Support(today <= until, until.isoformat())
    value = matrix.get(name, default)
    if isinstance(value, bool):
        return Support(value)
    until = value if isinstance(value, date) else _iso_date(name, value)
    return Support(today <= until, until.isoformat())


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


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
    tag_dates: Mapping[str, int] | None = None,
    support_months: int = 0,
    floating: Mapping[str, str] | None = None,
) -> list[ReleaseLine]:
    """Every line found in tag and branch names, oldest line first. ``floating``: branch →
    the line it serves (``stable`` → ``3.1``); ``tag_dates``: tag → Unix time."""
    by_line: dict[str, list[tuple[Version, str]]] = {}
    for tag in tags:
        version = pattern.parse(tag)
        if version is not None:
            by_line.setdefault(version.line, []).append((version, tag))
    branch_of = _branches_by_line(branches, branch_regexes(branch_patterns))
    aliases: dict[str, list[str]] = {}
    for branch, name in (floating or {}).items():
        aliases.setdefault(name, []).append(branch)
        branch_of.setdefault(name, branch)
    names = sorted(set(by_line) | set(branch_of), key=line_key)
    out = []
    for n in names:
        tagged = sorted(by_line.get(n, []))
        released = _released(tagged[-1][1], tag_dates) if tagged else None
        support = support_of(n, matrix, support_default, today, released, support_months)
        out.append(_line(n, tagged, branch_of.get(n), support, tuple(aliases.get(n, ()))))
    return out


def _released(tag: str, tag_dates: Mapping[str, int] | None) -> date | None:
    when = (tag_dates or {}).get(tag)
    return datetime.fromtimestamp(when, UTC).date() if when else None


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
          support: Support, aliases: tuple[str, ...] = ()) -> ReleaseLine:
    tags = tuple(tag for _, tag in tagged)
    finals = [tag for version, tag in tagged if not version.is_pre]
    latest = finals[-1] if finals else None
    pre = tags[-1] if tags and tags[-1] != latest else None
    tip = branch or (tags[-1] if tags else "")
    return ReleaseLine(name, branch, tags, latest, support.supported, tip, support.until,
                       pre, aliases)


def find_line(lines: Iterable[ReleaseLine], name: str) -> ReleaseLine | None:
    return next((line for line in lines if line.name == name), None)


def line_named(lines: Iterable[ReleaseLine], name: str) -> ReleaseLine | None:
    """The line called ``name``: ``X.Y``, its branch (``release/1.1``, ``origin/1.1.x``)
    or a floating branch serving it (``stable``)."""
    name = name.strip()
    candidates = list(lines)
    found = find_line(candidates, name)
    if found is not None:
        return found
    for line in candidates:
        names = {*(b for b in (line.branch,) if b), *line.aliases}
        short = {b.split("/", 1)[1] for b in names if "/" in b}
        if name in names or name in short or name.removeprefix("origin/") in names:
            return found or line
    return None


def ambiguous_latest(tags: Mapping[str, str], line: ReleaseLine,
                     pattern: TagPattern) -> list[str]:
    """Tags naming the line's latest version but pointing at different commits."""
    if line.latest_tag is None:
        return []
    latest = pattern.parse(line.latest_tag)
    same = [t for t in line.tags if pattern.parse(t) == latest]
    return same if len({tags.get(t) for t in same}) > 1 else []
