"""The scope guard on any diff: ``hotfix policy``, and the first step of ``hotfix check``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.config import Config
from hotfix.domain.checks.scope import ScopeReport, ScopeRules, check_scope
from hotfix.errors import UsageError
from hotfix.ports import GitRepo

REV_HINT = "list tags and branches: git tag; git branch -a"


@dataclass(frozen=True)
class Range:
    base: str  # as given or found (a tag name, a branch, a sha)
    base_sha: str
    head: str
    head_sha: str
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"base": self.base, "base_sha": self.base_sha, "head": self.head,
                "head_sha": self.head_sha, "note": self.note}


@dataclass(frozen=True)
class PolicyResult:
    range: Range
    report: ScopeReport

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), **self.range.to_dict()}


def scope_rules(cfg: Config) -> ScopeRules:
    keys = ("max_files", "max_lines", "forbidden_paths", "forbidden_kinds", "require_test",
            "test_paths")
    return ScopeRules.from_settings({k: cfg.get(f"scope.{k}") for k in keys})


def resolve_range(git: GitRepo, base: str | None, head: str | None) -> Range:
    """Commits to compare; without ``base``, the newest tag below ``head`` (else its parent)."""
    head = head or "HEAD"
    head_sha = git.require_commit(head, hint=REV_HINT)
    if base:
        return Range(base, git.require_commit(base, hint=REV_HINT), head, head_sha)
    tag = git.nearest_tag(head_sha)
    if tag is not None:
        return Range(tag, git.require_commit(tag, hint=REV_HINT), head, head_sha,
                     f"base: the newest tag below {head}, {tag}")
    parent = git.commit_of(f"{head_sha}^")
    if parent is None:
        raise UsageError(f"{head} has no tag below it and no parent to compare with",
                         hint="name the base: --base REV")
    return Range(f"{head}^", parent, head, head_sha,
                 f"base: no tag below {head}, so its parent commit")


def policy(git: GitRepo, cfg: Config, *, base: str | None = None, head: str | None = None,
           waiver: str | None = None) -> PolicyResult:
    """Check the diff ``base..head`` against the ``scope.*`` rules."""
    found = resolve_range(git, base, head)
    changes = git.diff(found.base_sha, found.head_sha)
    return PolicyResult(found, check_scope(changes, scope_rules(cfg), waiver))
