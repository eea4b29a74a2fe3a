"""The scope guard on any diff: ``hotfix policy``, and the first step of ``hotfix check``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd
from hotfix.adapters.testing import gitdiff
from hotfix.config import Config
from hotfix.domain.scope import ScopeReport, ScopeRules, check_scope
from hotfix.errors import UsageError


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


def resolve_range(root: Path, base: str | None, head: str | None) -> Range:
    """Commits to compare; without ``base``, the newest tag below ``head`` (else its parent)."""
    head = head or "HEAD"
    head_sha = gitdiff.rev(root, head)
    if base:
        return Range(base, gitdiff.rev(root, base), head, head_sha)
    proc = cmd.run(["describe", "--tags", "--abbrev=0", head_sha], root, check=False)
    if proc.returncode == 0:
        tag = proc.stdout.strip()
        return Range(tag, gitdiff.rev(root, tag), head, head_sha,
                     f"base: the newest tag below {head}, {tag}")
    parent = cmd.run(["rev-parse", "--verify", "--quiet", f"{head_sha}^"], root, check=False)
    if parent.returncode != 0:
        raise UsageError(f"{head} has no tag below it and no parent to compare with",
                         hint="name the base: --base REV")
    return Range(f"{head}^", parent.stdout.strip(), head, head_sha,
                 f"base: no tag below {head}, so its parent commit")


def policy(root: Path, cfg: Config, *, base: str | None = None, head: str | None = None,
           waiver: str | None = None) -> PolicyResult:
    """Check the diff ``base..head`` against the ``scope.*`` rules."""
    found = resolve_range(root, base, head)
    changes = gitdiff.diff(root, found.base_sha, found.head_sha)
    return PolicyResult(found, check_scope(changes, scope_rules(cfg), waiver))
