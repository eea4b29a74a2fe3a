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
    # ── judge: the canary judge (docs/judge.md) ──────────────────────────────────────────
    Setting(
        "judge.alpha",
        0.05,
        "Chance of a false rollback (and of a false promotion) over the whole canary, however\n"
        "often the judge looks. Split across metrics by judge.weights.",
    ),
    Setting(
        "judge.error_margin",
        0.5,
        "Promote only once the canary's error rate is shown below (1 + margin) x the baseline's.",
    ),
    Setting(
        "judge.error_floor",
        0.001,
        "... or shown below this absolute error rate (lets error-free services promote). 0: off.",
    ),
    Setting(
        "judge.latency_tolerance",
        0.1,
        "Promote only once the canary's typical (geometric-mean) latency is shown below\n"
        "(1 + tolerance) x the baseline's.",
    ),
    Setting(
        "judge.tail_margin",
        0.5,
        "Promote only once the canary's rate of slow requests (slower than the baseline's\n"
        "judge.tail_quantile) is shown below (1 + margin) x the baseline's.",
    ),
    Setting(
        "judge.weights",
        {"errors": 0.6, "latency": 0.3, "tail": 0.1},
        "Shares of alpha for the regression tests of each metric; 0 turns a metric off.",
    ),
    Setting(
        "judge.burn_in",
        50,
        "Latencies per version before the latency tests start (variance, cap and tail threshold\n"
        "are estimated from them).",
    ),
    Setting(
        "judge.winsor_quantile",
        0.99,
        "Log-latency is capped at this quantile of the baseline's burn-in (robustness).",
    ),
    Setting(
        "judge.tail_quantile",
        0.95,
        "A request is slow when slower than this quantile of the baseline's burn-in latencies.",
    ),
    Setting(
        "judge.block",
        100,
        "Requests per block of the error and tail count tests (evidence arrives per block).",
    ),
    Setting(
        "judge.srm_alpha",
        0.001,
        "Level of the sample-ratio check; a mismatch withholds promotion (never rolls back).",
    ),
)
