"""A repository whose hotfix.toml routes notices, and a context on it (a real SQLite store,
or one passed in), with a manual clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix.adapters.clock import ManualClock
from hotfix.ports import Notifier, Store
from hotfix.services.context import Context
from hotfix.wiring import open_context
from tests.contexts import kept

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BOSS = "lee@example.com"
REPORTER = "rey@example.com"
SEV1_ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no",
                "costing_money": "yes", "security": "yes"}

ROUTES = '''
[approvals]
approvers = ["lee@example.com"]

[notify.smtp]
host = "127.0.0.1"
sender = "hotfix@example.com"

[notify.channels.oncall]
type = "slack"
url = "https://hooks.slack.example/T/B/X"

[notify.channels.support]
type = "email"
to = ["lead@example.com"]

[notify.channels.stakeholders]
type = "webhook"
url = "https://hooks.example/hotfix"
secret_env = "HOTFIX_TEST_WEBHOOK_SECRET"

[[notify.routes]]
on = ["triage"]
severity = ["SEV1"]
to = ["oncall", "support"]

[[notify.routes]]
on = ["verify", "close"]
to = ["stakeholders"]

[[notify.routes]]
on = ["status"]
to = ["oncall"]
'''


def routed(root: Path, extra: str = "", **kw: Any) -> Path:
    (root / "hotfix.toml").write_text(ROUTES + extra, encoding="utf-8")
    return root


def context(root: Path, notifiers: Mapping[str, Notifier] | None = None, *,
            clock: ManualClock | None = None, store: Store | None = None,
            environ: Mapping[str, str] | None = None) -> Context:
    return kept(open_context(root, dict(environ or {}), clock=clock or ManualClock(T0),
                             store=store, notifiers=notifiers))
