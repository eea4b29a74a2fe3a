"""What a commit says about where it came from: trailers, PR numbers, a normalised subject.

Pure parsing of a commit message. The keys extracted here are what the equivalence logic
(``hotfix.domain.audit.equivalence``) compares across a release line and the mainline.

    (cherry picked from commit 1a2b3c…)   git cherry-pick -x
    Backport-Of: 1a2b3c…                  backport bots and hotfix's own ports
    Hotfix-Id: HF-12                      every commit hotfix picks for HF-12
    Hotfix-Release: v1.1.1                hotfix's own release commit (version + notes)
    Backport of 1a2b3c… from main         Django-style backports
    Backport of #123                      a manual backport naming its PR
    This reverts commit 1a2b3c….          git revert

PR numbers come from the subject: ``(#123)``, ``(GH-123)``, ``Merge pull request #123``,
``Backport PR #123``, ``[PR #123/1a2b3c backport]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

_CHERRY = re.compile(r"^\s*\(cherry picked from commit ([0-9a-fA-F]{7,40})\)\s*$", re.M)
_BACKPORT = re.compile(r"^\s*(?:Backport-Of:\s*|\[?Backport of\s+)([0-9a-fA-F]{7,40})\b",
                       re.M | re.I)
_REVERTS = re.compile(r"\bThis reverts commit ([0-9a-fA-F]{7,40})\b", re.I)
_REVERT_SUBJECT = re.compile(r'^\s*(?:\[[^\]]{1,40}\]\s*)*Revert\s+"', re.I)
_HOTFIX = re.compile(r"^\s*Hotfix-Id:\s*([A-Za-z][\w.]*-\d+)\s*$", re.M | re.I)
_RELEASE = re.compile(r"^\s*Hotfix-Release:\s*\S+", re.M | re.I)
_PR = re.compile(r"\((?:#|GH-)(\d+)\)|^Merge pull request #(\d+)\b|\bPR #(\d+)\b", re.I)
# "[1.1] ", "[backport 1.1] ", "Backport: ", "cherry-pick: ", "hotfix(1.1): " …
_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{1,40}\]\s*|(?:backport|back-port|cherry[- ]?pick(?:ed)?|hotfix)"
    r"(?:\([^)]{0,40}\))?\s*(?:to\s+\S+\s*)?[:\-]\s*)",
    re.I,
)
# "… on 1.0", "… (backport to release/1.1)", "… [1.1]", "… (backport)"
# Only a line name (1.1, 1.1.x, release/1.1) is stripped: in brackets, after a backport word,
# after on/for/in(to), or after "to" as a branch (to release/1.1, to 1.1.x). Never a bare
# version or "to 2.1", so "Release 8.5.0" and "Bump foo to 2.1" keep their numbers.
_LINE_NAME = r"(?:release[/ -]?|stable[/ -]?)?v?\d+\.\d+(?:\.x)?"
_SUFFIX = re.compile(
    r"\s*[\[(](?:(?:backport(?:ed)?|cherry[- ]?pick(?:ed)?)\s+)?(?:(?:to|for|on|in(?:to)?)\s+)?"
    rf"{_LINE_NAME}[\])]\s*$"
    r"|\s+(?:backport(?:ed)?|cherry[- ]?pick(?:ed)?)\s+(?:(?:to|for|on|in(?:to)?)\s+)?"
    rf"{_LINE_NAME}\s*$"
    rf"|\s+(?:for|on|in(?:to)?)\s+{_LINE_NAME}\s*$"
    r"|\s+to\s+(?:(?:release|stable)[/ -]?v?\d+\.\d+(?:\.x)?|v?\d+\.\d+\.x)\s*$"
    r"|\s*[\[(](?:backport(?:ed)?|cherry[- ]?pick(?:ed)?)[\])]\s*$",
    re.I,
)
# release bookkeeping by its subject (audit.release_subjects extends it)
RELEASE_SUBJECTS = (
    r"(?:prepare\s+)?(?:release|releasing)(?:\s+version)?\s+v?\d+(?:\.\d+)+\S*",
    r"(?:bump(?:ed)?|update)\s+(?:the\s+)?(?:dev\s+)?version\b.*",
    r"version\s+bump\b.*",
    r"start\s+version\b.*",
    r"back\s+to\s+dev(?:elopment)?\b.*",
)
_SPACES = re.compile(r"\s+")
# "Backport of #11896" / "Backported from PR #12" in the body: the PR this backports
_BACKPORT_PR = re.compile(r"^\s*\(?\s*backport(?:ed)?\s+(?:of|from)\s+(?:PR\s*)?#(\d+)\b",
                          re.M | re.I)


@dataclass(frozen=True)
class CommitInfo:
    """A commit as the audit sees it (a merge: its files against its first parent)."""

    sha: str
    subject: str
    files: tuple[str, ...] = ()
    cherry_from: tuple[str, ...] = ()
    backport_of: tuple[str, ...] = ()
    hotfix_ids: tuple[str, ...] = ()
    is_release: bool = False  # a release commit made by `hotfix release`
    reverts: tuple[str, ...] = ()  # "This reverts commit X." of a revert commit
    is_revert: bool = False  # subject 'Revert "…"' or a "This reverts commit" line
    backport_prs: tuple[int, ...] = ()  # "Backport of #N" in the body

    @property
    def origins(self) -> frozenset[str]:
        """Every SHA that names this change: its own and those its trailers point at."""
        return frozenset((self.sha, *self.cherry_from, *self.backport_of))

    @property
    def revert_origins(self) -> frozenset[str]:
        """What a revert undoes: the commits it names (empty for a change)."""
        return frozenset(self.reverts)

    @cached_property
    def prs(self) -> frozenset[int]:
        """The PRs the subject cites, and the one the body says this backports."""
        return pr_numbers(self.subject) | frozenset(self.backport_prs)

    @cached_property
    def key(self) -> str:
        """The normalised subject (computed once: the audit compares it often)."""
        return normalise_subject(self.subject)


def parse_commit(sha: str, message: str, files: tuple[str, ...] = ()) -> CommitInfo:
    """Build a ``CommitInfo`` from a raw commit message (``%B``)."""
    subject = message.strip().split("\n", 1)[0].strip() if message.strip() else ""
    return CommitInfo(
        sha=sha.lower(),
        subject=subject,
        files=files,
        cherry_from=_unique(m.lower() for m in _CHERRY.findall(message)),
        backport_of=_unique(m.lower() for m in _BACKPORT.findall(message)),
        hotfix_ids=_unique(m.upper() for m in _HOTFIX.findall(message)),
        is_release=bool(_RELEASE.search(message)),
        reverts=_unique(m.lower() for m in _REVERTS.findall(message)),
        is_revert=bool(_REVERT_SUBJECT.match(subject) or _REVERTS.search(message)),
        backport_prs=tuple(dict.fromkeys(int(n) for n in _BACKPORT_PR.findall(message))),
    )


def pr_numbers(subject: str) -> frozenset[int]:
    """PR numbers a subject cites: ``(#123)``, ``(GH-123)``, ``Merge pull request #123``,
    ``PR #123``."""
    return frozenset(int(n) for groups in _PR.findall(subject) for n in groups if n)


def normalise_subject(subject: str) -> str:
    """The subject without backport prefixes, PR references, case and extra spaces."""
    text = _PR.sub(" ", subject)
    while True:
        stripped = _SUFFIX.sub("", _PREFIX.sub("", text, count=1), count=1)
        stripped = _SPACES.sub(" ", stripped).strip(" .")
        if stripped == text:
            return text.lower()
        text = stripped


def release_subject_regex(extra: Iterable[str] = ()) -> re.Pattern[str]:
    """One regex for the release subjects (the defaults plus ``extra``), matched in full."""
    parts = [*RELEASE_SUBJECTS, *extra]
    return re.compile(r"(?i)\s*(?:\[[^\]]{1,40}\]\s*)*(?:" + "|".join(f"(?:{p})" for p in parts)
                      + r")\s*")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
