"""The scope guard: is this diff small and safe enough to ship as a hotfix?

Pure: rules in, diff in, violations out. Each violation names its rule and, where there is
one, the file. Rules (all from config ``scope.*``):

    max-files           more files changed than ``scope.max_files``
    max-lines           more lines added + deleted than ``scope.max_lines``
    forbidden-path      a file under a forbidden glob (``checkout/**``, ``payments/**``)
    forbidden-kind:K    a file of a forbidden kind K (custom logic, dependencies, migrations)
    test-required       no test file changed or added, and no waiver given
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.checks.globs import first_match

DEFAULT_FORBIDDEN_KINDS: dict[str, list[str]] = {
    "custom-logic": ["*.js", "*.mjs", "*.cjs", "*.jsx", "*.ts", "*.tsx"],
    "dependencies": [
        "requirements*.txt", "requirements/*.txt", "constraints*.txt", "*.lock", "Pipfile",
        "package.json", "package-lock.json", "pnpm-lock.yaml", "go.mod", "go.sum", "Gemfile",
    ],
    "migrations": ["**/migrations/**", "**/alembic/versions/**", "*.sql"],
}
DEFAULT_TEST_PATHS = ["tests/**", "test/**", "test_*.py", "*_test.py"]


@dataclass(frozen=True)
class ScopeRules:
    max_files: int = 10
    max_lines: int = 200
    forbidden_paths: tuple[str, ...] = ("checkout/**", "payments/**")
    forbidden_kinds: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {k: tuple(v) for k, v in DEFAULT_FORBIDDEN_KINDS.items()})
    require_test: bool = True
    test_paths: tuple[str, ...] = tuple(DEFAULT_TEST_PATHS)

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> ScopeRules:
        """Build from the ``scope.*`` settings (keys without the ``scope.`` prefix)."""
        kinds = values.get("forbidden_kinds", DEFAULT_FORBIDDEN_KINDS)
        return cls(
            max_files=int(values.get("max_files", 10)),
            max_lines=int(values.get("max_lines", 200)),
            forbidden_paths=tuple(values.get("forbidden_paths", cls.forbidden_paths)),
            forbidden_kinds={str(k): tuple(v) for k, v in kinds.items()},
            require_test=bool(values.get("require_test", True)),
            test_paths=tuple(values.get("test_paths", DEFAULT_TEST_PATHS)),
        )


@dataclass(frozen=True)
class Violation:
    rule: str
    file: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "file": self.file, "message": self.message}


@dataclass(frozen=True)
class ScopeReport:
    files: int
    lines: int
    tests_changed: tuple[str, ...]
    violations: tuple[Violation, ...]
    waiver: str | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "files": self.files, "lines": self.lines,
                "tests_changed": list(self.tests_changed), "waiver": self.waiver,
                "violations": [v.to_dict() for v in self.violations]}


def check_scope(changes: Sequence[FileChange], rules: ScopeRules,
                test_waiver: str | None = None) -> ScopeReport:
    """Every rule the diff breaks, in rule order, then file order."""
    lines = sum(c.added + c.deleted for c in changes)
    tests = tuple(c.path for c in changes
                  if c.status != "D" and first_match(rules.test_paths, c.path))
    found = [*_size(changes, lines, rules), *_paths(changes, rules), *_kinds(changes, rules)]
    if rules.require_test and not tests and changes and not test_waiver:
        found.append(Violation(
            "test-required", None,
            "no test was changed or added with the fix; add a regression test "
            f"(a file matching {', '.join(rules.test_paths)}) or waive with a reason"))
    return ScopeReport(len(changes), lines, tests, tuple(found), test_waiver)


def _size(changes: Sequence[FileChange], lines: int, rules: ScopeRules) -> list[Violation]:
    out = []
    if len(changes) > rules.max_files:
        out.append(Violation("max-files", None, f"{len(changes)} files changed, more than "
                             f"the {rules.max_files} allowed (scope.max_files)"))
    if lines > rules.max_lines:
        biggest = max(changes, key=lambda c: c.added + c.deleted)
        out.append(Violation("max-lines", biggest.path,
                             f"{lines} lines changed, more than the {rules.max_lines} allowed "
                             f"(scope.max_lines); the largest change is {biggest.path} "
                             f"(+{biggest.added} -{biggest.deleted})"))
    return out


def _paths(changes: Sequence[FileChange], rules: ScopeRules) -> list[Violation]:
    out = []
    for change in changes:
        for path in _both_paths(change):
            pattern = first_match(rules.forbidden_paths, path)
            if pattern:
                out.append(Violation("forbidden-path", path,
                                     f"{path} is under the forbidden path {pattern!r}"))
                break
    return out


def _kinds(changes: Sequence[FileChange], rules: ScopeRules) -> list[Violation]:
    out = []
    for change in changes:
        for kind, patterns in rules.forbidden_kinds.items():
            pattern = next((p for path in _both_paths(change)
                            if (p := first_match(patterns, path))), None)
            if pattern:
                out.append(Violation(f"forbidden-kind:{kind}", change.path,
                                     f"{change.path} is {kind} (matches {pattern!r})"))
    return out


def _both_paths(change: FileChange) -> list[str]:
    if change.old_path and change.old_path != change.path:
        return [change.path, change.old_path]
    return [change.path]
