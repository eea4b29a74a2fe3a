"""Is a release line's change in the mainline? Pure decisions over commit facts.

For each commit on a line (since it forked), in this order:

1. **trailer** — the line commit and a mainline commit name the same origin
   (``cherry picked from commit X`` / ``Backport-Of: X`` either way, or both from one X), or
   share a ``Hotfix-Id`` and touch a common non-release file;
2. **release_only** — it only touches release files (``hotfix.domain.audit.release_files``), or
   is a release commit of ``hotfix release`` (trailer ``Hotfix-Release``);
3. **patch-id** — ``git patch-id --stable`` equals a mainline commit's;
4. **subject** — (``audit.subject_fallback``) same PR number, or the same normalised
   subject and a common file: a backport whose diff had to change;
5. **waived** — someone recorded that this line does not need it;
6. otherwise **missing**.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.release_files import ReleaseFiles


class Status(StrEnum):
    IN_MAINLINE = "in_mainline"
    MISSING = "missing"
    RELEASE_ONLY = "release_only"
    WAIVED = "waived"


class By(StrEnum):
    TRAILER = "trailer"
    PATCH_ID = "patch-id"
    SUBJECT = "subject"


@dataclass(frozen=True)
class Match:
    sha: str
    by: By

    def to_dict(self) -> dict[str, str]:
        return {"sha": self.sha, "by": self.by.value}


@dataclass(frozen=True)
class Waiver:
    """A recorded decision that ``line`` does not need commit ``sha``."""

    sha: str
    line: str
    reason: str
    actor: str
    at: datetime
    hotfix: int | None = None

    def to_dict(self, hotfix_key: str | None = None) -> dict[str, Any]:
        """As JSON; ``hotfix_key`` names the hotfix (e.g. ``HF-3``), held here by number."""
        return {"sha": self.sha, "line": self.line, "reason": self.reason, "actor": self.actor,
                "at": self.at.isoformat(), "hotfix": hotfix_key}


@dataclass(frozen=True)
class Verdict:
    sha: str
    subject: str
    status: Status
    match: Match | None = None
    waiver: Waiver | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"sha": self.sha, "subject": self.subject, "status": self.status.value,
                "match": self.match.to_dict() if self.match else None}


@dataclass(frozen=True)
class LineAudit:
    line: str
    commits: tuple[Verdict, ...]

    @property
    def missing(self) -> list[Verdict]:
        return [v for v in self.commits if v.status is Status.MISSING]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((s.value for s in Status), 0)
        for verdict in self.commits:
            out[verdict.status.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "commits": [v.to_dict() for v in self.commits]}


@dataclass(frozen=True)
class Evidence:
    """What the service learnt from git beyond commit messages and file lists."""

    patch_ids: Mapping[str, str] = field(default_factory=dict)  # line sha -> patch-id
    main_by_patch_id: Mapping[str, str] = field(default_factory=dict)  # patch-id -> main sha
    release_only: frozenset[str] = frozenset()  # line shas that only do release bookkeeping
    waivers: Mapping[str, Waiver] = field(default_factory=dict)  # sha -> waiver (this line)
    subject_fallback: bool = True


class MainIndex:
    """The mainline commits of the audit window, indexed every way a match is looked up."""

    def __init__(self, commits: Iterable[CommitInfo], release: ReleaseFiles) -> None:
        self.commits = list(commits)
        self.release = release
        self._origin: dict[str, CommitInfo] = {}
        self._hotfix: dict[str, list[CommitInfo]] = defaultdict(list)
        for commit in self.commits:
            for origin in commit.origins:
                self._origin.setdefault(origin, commit)
            for hid in () if commit.is_release else commit.hotfix_ids:
                self._hotfix[hid].append(commit)
        self._full = sorted(k for k in self._origin if len(k) == 40)
        self._short_lengths = sorted({len(k) for k in self._origin if len(k) < 40})

    def by_origin(self, commit: CommitInfo) -> CommitInfo | None:
        for origin in sorted(commit.origins):
            found = self._origin.get(origin) or self._by_prefix(origin)
            if found is not None:
                return found
        return None

    def _by_prefix(self, origin: str) -> CommitInfo | None:
        for n in self._short_lengths:  # the mainline abbreviated it
            if origin[:n] in self._origin:
                return self._origin[origin[:n]]
        if len(origin) < 40:  # the line abbreviated it
            i = bisect.bisect_left(self._full, origin)
            if i < len(self._full) and self._full[i].startswith(origin):
                return self._origin[self._full[i]]
        return None

    def by_hotfix_id(self, commit: CommitInfo) -> CommitInfo | None:
        code = {f for f in commit.files if not self.release.is_release_file(f)}
        for hid in commit.hotfix_ids:
            for other in self._hotfix.get(hid, ()):
                if code.intersection(other.files):
                    return other
        return None

    @cached_property
    def _by_files(self) -> dict[frozenset[str], list[CommitInfo]]:
        out: dict[frozenset[str], list[CommitInfo]] = defaultdict(list)
        for commit in self.commits:
            out[frozenset(commit.files)].append(commit)
        return out

    def patch_id_candidates(self, commits: Iterable[CommitInfo]) -> list[CommitInfo]:
        """Mainline commits that could share a patch-id with ``commits``: same file set."""
        found: dict[str, CommitInfo] = {}
        for commit in commits:
            for other in self._by_files.get(frozenset(commit.files), ()):
                found[other.sha] = other
        return list(found.values())

    @cached_property
    def _by_file(self) -> dict[str, list[CommitInfo]]:
        out: dict[str, list[CommitInfo]] = defaultdict(list)
        for commit in self.commits:
            for path in commit.files:
                out[path].append(commit)
        return out

    @cached_property
    def _by_pr(self) -> dict[int, CommitInfo]:
        out: dict[int, CommitInfo] = {}
        for commit in self.commits:
            for number in commit.prs:
                out.setdefault(number, commit)
        return out

    def by_subject(self, commit: CommitInfo) -> CommitInfo | None:
        for number in sorted(commit.prs):
            if number in self._by_pr:
                return self._by_pr[number]
        key = commit.key
        for path in commit.files if key else ():
            if self.release.is_release_file(path) or self.release.is_version_file(path):
                continue  # "Release 1.1.0" and "Release 1.2.0" share pyproject.toml only
            for other in self._by_file.get(path, ()):
                if other.key == key:  # same subject and a common code file
                    return other
        return None


def by_trailer(commit: CommitInfo, index: MainIndex) -> Match | None:
    found = index.by_origin(commit) or index.by_hotfix_id(commit)
    return Match(found.sha, By.TRAILER) if found else None


def decide(commit: CommitInfo, index: MainIndex, evidence: Evidence) -> Verdict:
    """The status of one line commit (see the module docstring for the order)."""
    match = by_trailer(commit, index)
    if match is None and (commit.is_release or commit.sha in evidence.release_only):
        return Verdict(commit.sha, commit.subject, Status.RELEASE_ONLY)
    pid = evidence.patch_ids.get(commit.sha)
    if match is None and pid and pid in evidence.main_by_patch_id:
        match = Match(evidence.main_by_patch_id[pid], By.PATCH_ID)
    if match is None and evidence.subject_fallback:
        found = index.by_subject(commit)
        match = Match(found.sha, By.SUBJECT) if found else None
    if match is not None:
        return Verdict(commit.sha, commit.subject, Status.IN_MAINLINE, match)
    waiver = evidence.waivers.get(commit.sha)
    status = Status.WAIVED if waiver else Status.MISSING
    return Verdict(commit.sha, commit.subject, status, waiver=waiver)


def audit_line(line: str, commits: Sequence[CommitInfo], index: MainIndex,
               evidence: Evidence) -> LineAudit:
    """Decide every commit of one line, in the order given (oldest first)."""
    return LineAudit(line, tuple(decide(c, index, evidence) for c in commits))
