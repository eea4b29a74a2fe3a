"""Every setting hotfix knows, in the order ``hotfix init`` writes them.

Keys are ``section.name``. Each subsystem owns one section; add a setting here, never read a
file or the environment anywhere else (``hotfix.config`` resolves them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.triage import DEFAULT_ROUTE_RULES, DEFAULT_SEVERITY_RULES


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str
    env: str | None = None

    @property
    def kind(self) -> type:
        return type(self.default)


CATALOG: tuple[Setting, ...] = (
    Setting(
        "database.url",
        "",
        "SQLAlchemy URL of the hotfix database. Empty: SQLite at .hotfix/hotfix.db in the repo.\n"
        "Teams use PostgreSQL: postgresql+psycopg://user@host/db",
        env="HOTFIX_DATABASE_URL",
    ),
    Setting("records.prefix", "HF", "Prefix of hotfix ids (HF-1, HF-2, ...)."),
    Setting(
        "approvals.approvers",
        [],
        "Emails allowed to approve hotfixes and override guards. Empty: anyone but the\n"
        "requester may approve, and nobody may override a guard.",
        env="HOTFIX_APPROVERS",
    ),
    Setting(
        "approvals.required",
        {"SEV1": 1, "SEV2": 1, "SEV3": 1, "SEV4": 1},
        "Approvals needed before work starts, per severity.",
    ),
    Setting(
        "triage.severity_rules",
        DEFAULT_SEVERITY_RULES,
        "Severity rubric: every matching rule contributes its reason; the most severe wins.\n"
        "Conditions: an answer = a value, or a string like \">= 0.5\". See docs/triage.md.",
    ),
    Setting(
        "triage.route_rules",
        DEFAULT_ROUTE_RULES,
        "Route rubric: the first matching rule with a route wins; route = \"\" only adds a reason.",
    ),
    Setting(
        "content.templates",
        ["banner-text", "product-image", "stock-level", "shipping-deadline"],
        "Pre-approved content templates. A content change without one goes to engineering.",
    ),
    # -- audit (hotfix audit / contains) ---------------------------------------------------
    Setting(
        "audit.release_only_globs",
        ["CHANGELOG*", "CHANGES*", "HISTORY*", "NEWS*", "RELEASE*NOTES*", "VERSION",
         "_version.py", "__version__.py", ".github/workflows/**", ".gitlab-ci.yml",
         ".circleci/**", ".pre-commit-config.yaml"],
        "Files that only do release bookkeeping (changelogs, version files, CI pins). A line\n"
        "commit touching only these is release_only, never missing. A glob without '/'\n"
        "matches a file name at any depth; '**' spans directories.",
    ),
    Setting(
        "audit.version_files",
        ["pyproject.toml", "package.json", "package-lock.json", "setup.cfg", "setup.py",
         "Cargo.toml", "Cargo.lock", "__init__.py", "version.py", "*.gemspec"],
        "Files that hold a version next to code or dependencies. A change to them is\n"
        "release_only when every changed line sets a version (version = \"1.1.1\").",
    ),
    Setting(
        "audit.subject_fallback",
        True,
        "When neither a trailer nor the patch-id matches, accept a mainline commit with the\n"
        "same PR number (#123), or the same subject and a common file (a backport whose diff\n"
        "had to change).",
    ),
)
