"""Is a release line's change in the mainline? Pure decisions over commit facts.

The mainline index holds every mainline commit since the line forked, merge commits
included (a merge's files and patch-id are those of its diff against its first parent, the
change ``git cherry-pick -m 1`` applies). For each commit on a line, in this order:

0. **reverted** — the line reverts it later, or it is the revert of an earlier line commit:
   the two cancel and nothing needs porting (``match`` names the other one, by ``revert``);
1. **trailer** — the line commit and a mainline commit name the same origin
   (``cherry picked from commit X`` / ``Backport-Of: X`` either way, or both from one X), or
   share a ``Hotfix-Id`` and touch a common non-release file; **revert** — both revert the
   same commit;
2. **release_only** — it only touches release files (``hotfix.domain.audit.release_files``),
   is a release commit of ``hotfix release`` (trailer ``Hotfix-Release``), or its subject is
   a release subject (``Prepare release version 8.3.5``, ``Bump version``;
   ``audit.release_subjects``);
3. **patch-id** — ``git patch-id --stable`` equals a mainline commit's;
4. **subject** — (``audit.subject_fallback``) same PR number, or the same normalised
   subject and a common file: a backport whose diff had to change. A revert only ever
   matches a revert and a change only a change; a release commit never matches;
5. **waived** — someone recorded that this line does not need it;
6. otherwise **missing**.

A match to a mainline commit that the mainline itself reverted later (and did not re-apply)
is ``reverted_in_mainline``: the line has a change the mainline took back.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.release_files import ReleaseFiles


class Status(StrEnum):
    IN_MAINLINE = "in_mainline"
    MISSING = "missing"
    RELEASE_ONLY = "release_only"
    WAIVED = "waived"
    REVERTED = "reverted"  # reverted on the line itself: nothing to port
    REVERTED_IN_MAINLINE = "reverted_in_mainline"  # the mainline had it and took it back


class By(StrEnum):
    TRAILER = "trailer"
    REVERT = "revert"
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
    release_subjects: re.Pattern[str] | None = None  # a subject that is release bookkeeping
    pre_fork: Mapping[str, str] = field(default_factory=dict)  # line sha -> mainline origin
    # that is older than the line's fork (so on the mainline, outside the index's window)


class ShaMap:
    """SHA (full or abbreviated, either side) → commit."""

    def __init__(self) -> None:
        self._map: dict[str, CommitInfo] = {}
        self._sorted: list[str] | None = None
        self._short: list[int] = []

    def add(self, key: str, commit: CommitInfo) -> None:
        self._map.setdefault(key, commit)
        self._sorted = None

    def get(self, key: str) -> CommitInfo | None:
        found = self._map.get(key)
        if found is not None:
            return found
        if self._sorted is None:
            self._sorted = sorted(k for k in self._map if len(k) == 40)
            self._short = sorted({len(k) for k in self._map if len(k) < 40})
        for n in self._short:  # the mainline abbreviated it
            if key[:n] in self._map:
                return self._map[key[:n]]
        if len(key) < 40:  # the line abbreviated it
            i = bisect.bisect_left(self._sorted, key)
            if i < len(self._sorted) and self._sorted[i].startswith(key):
                return self._map[self._sorted[i]]
        return None


def undone(commits: Sequence[CommitInfo]) -> dict[str, CommitInfo]:
    """Commits of ``commits`` (oldest first) that a later one reverts and that stay
    reverted (a revert of the revert re-applies): sha → the revert in effect."""
    by_sha = ShaMap()
    for commit in commits:
        by_sha.add(commit.sha, commit)
    reverted_by: dict[str, CommitInfo] = {}
    for commit in commits:
        for target in commit.reverts:
            found = by_sha.get(target)
            if found is not None and found.sha != commit.sha:
                reverted_by[found.sha] = commit
    out: dict[str, CommitInfo] = {}
    for sha, revert in reverted_by.items():
        if not _in_effect_undone(revert.sha, reverted_by):
            continue
        out[sha] = revert
    return out


def _in_effect_undone(sha: str, reverted_by: Mapping[str, CommitInfo]) -> bool:
    """Whether commit ``sha`` is in effect: not reverted, or its revert was reverted."""
    seen: set[str] = set()
    in_effect = True
    while sha in reverted_by and sha not in seen:
        seen.add(sha)
        sha = reverted_by[sha].sha
        in_effect = not in_effect
    return in_effect


class MainIndex:
    """The mainline commits of the audit window, indexed every way a match is looked up."""

    def __init__(self, commits: Iterable[CommitInfo], release: ReleaseFiles,
                 release_subjects: re.Pattern[str] | None = None, *,
                 one_change: bool = False) -> None:
        """``one_change``: the commits are all one fix (``hotfix contains``'s targets), so
        their shared subject is no ambiguity."""
        self.commits = list(commits)
        self.one_change = one_change
        self.release = release
        self.release_subjects = release_subjects
        self._origin = ShaMap()
        self._reverted_target = ShaMap()  # what a mainline revert undoes -> the revert
        self._hotfix: dict[str, list[CommitInfo]] = defaultdict(list)
        self._common_keys: set[str] = set()
        for commit in self.commits:
            for origin in commit.origins:
                self._origin.add(origin, commit)
            for target in commit.reverts:
                self._reverted_target.add(target, commit)
            for hid in () if commit.is_release else commit.hotfix_ids:
                self._hotfix[hid].append(commit)

    @cached_property
    def undone(self) -> dict[str, CommitInfo]:
        """Mainline commits the mainline reverted later (and did not re-apply)."""
        return undone(self.commits)

    def by_origin(self, commit: CommitInfo) -> CommitInfo | None:
        for origin in sorted(commit.origins):
            found = self._origin.get(origin)
            if found is not None:
                return found
        return None

    def by_revert_target(self, commit: CommitInfo) -> CommitInfo | None:
        """A mainline revert that undoes what the line's revert ``commit`` undoes."""
        for target in sorted(commit.reverts):
            found = self._reverted_target.get(target)
            if found is not None:
                return found
        return None

    def is_release_commit(self, commit: CommitInfo) -> bool:
        return commit.is_release or (self.release_subjects is not None
                                     and _release_subject(self.release_subjects, commit.subject))

    def by_hotfix_id(self, commit: CommitInfo) -> CommitInfo | None:
        if not commit.hotfix_ids:
            return None
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
    def _by_pr(self) -> dict[tuple[int, bool], CommitInfo]:
        out: dict[tuple[int, bool], CommitInfo] = {}
        for commit in self.commits:
            if self.is_release_commit(commit):
                continue
            for number in commit.prs:
                out.setdefault((number, commit.is_revert), commit)
        return out

    def by_subject(self, commit: CommitInfo) -> CommitInfo | None:
        """Same PR number, or same normalised subject and a common code file; a revert
        only matches a revert, a change only a change, a release commit nothing."""
        if self.is_release_commit(commit):
            return None
        for number in sorted(commit.prs):
            found = self._by_pr.get((number, commit.is_revert))
            if found is not None:
                return found
        return self.by_same_subject(commit)

    def by_same_subject(self, commit: CommitInfo) -> CommitInfo | None:
        """The ONE commit with ``commit``'s normalised subject and a common code file. A
        subject that several changes of the mainline share (a bot's ``[automated] Update
        plugin list``, ``Fix linting``) names none of them: no match."""
        key: str | None = None  # normalised only when a file is shared (it costs)
        found: dict[str, CommitInfo] = {}
        for path in commit.files:
            others = self._by_file.get(path)
            if not others or self.release.is_release_file(path) \
                    or self.release.is_version_file(path):
                continue  # "Release 1.1.0" and "Release 1.2.0" share pyproject.toml only
            key = commit.key if key is None else key
            if not key or key in self._common_keys:
                return None
            for other in others:
                if (other.key == key and other.is_revert == commit.is_revert
                        and other.sha != commit.sha and not self.is_release_commit(other)):
                    found[other.sha] = other
        if len(found) == 1 or (found and self.one_change):
            return next(iter(found.values()))
        return None

    def count_against(self, namesakes: Iterable[CommitInfo]) -> None:
        """Mainline commits outside this index (``hotfix contains`` indexes only the fix):
        a subject one of them shares with an indexed commit is no longer unique."""
        for commit in namesakes:
            if self.by_same_subject(commit) is not None:
                self._common_keys.add(commit.key)


@lru_cache(maxsize=65536)
def _release_subject(pattern: re.Pattern[str], subject: str) -> bool:
    return pattern.fullmatch(subject) is not None


def by_trailer(commit: CommitInfo, index: MainIndex) -> Match | None:
    found = index.by_origin(commit) or index.by_hotfix_id(commit)
    if found is not None:
        return Match(found.sha, By.TRAILER)
    revert = index.by_revert_target(commit) if commit.reverts else None
    return Match(revert.sha, By.REVERT) if revert else None


def decide(commit: CommitInfo, index: MainIndex, evidence: Evidence) -> Verdict:
    """The status of one line commit (see the module docstring for the order)."""
    match = by_trailer(commit, index)
    if match is None and commit.sha in evidence.pre_fork:
        match = Match(evidence.pre_fork[commit.sha], By.TRAILER)
    if match is None and (commit.sha in evidence.release_only
                          or index.is_release_commit(commit)):
        return Verdict(commit.sha, commit.subject, Status.RELEASE_ONLY)
    pid = evidence.patch_ids.get(commit.sha)
    if match is None and pid and pid in evidence.main_by_patch_id:
        match = Match(evidence.main_by_patch_id[pid], By.PATCH_ID)
    if match is None and evidence.subject_fallback:
        found = index.by_subject(commit)
        match = Match(found.sha, By.SUBJECT) if found else None
    if match is not None:
        status = (Status.REVERTED_IN_MAINLINE if match.sha in index.undone
                  else Status.IN_MAINLINE)
        return Verdict(commit.sha, commit.subject, status, match)
    waiver = evidence.waivers.get(commit.sha)
    status = Status.WAIVED if waiver else Status.MISSING
    return Verdict(commit.sha, commit.subject, status, waiver=waiver)


def audit_line(line: str, commits: Sequence[CommitInfo], index: MainIndex,
               evidence: Evidence) -> LineAudit:
    """Decide every commit of one line, in the order given (oldest first). A commit the
    line reverts later and that revert are ``reverted``, each naming the other."""
    cancelled: dict[str, Match] = {}
    for original, revert in undone(commits).items():
        cancelled[original] = Match(revert.sha, By.REVERT)
        cancelled[revert.sha] = Match(original, By.REVERT)
    return LineAudit(line, tuple(
        Verdict(c.sha, c.subject, Status.REVERTED, cancelled[c.sha]) if c.sha in cancelled
        else decide(c, index, evidence) for c in commits))
