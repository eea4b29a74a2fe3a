"""``hotfix defer``: a roll-back-first record leaves its fix to a planned release.

Once the rollback is verified, the fix either goes forward now (``hotfix start``) or waits
for a planned release: ``defer`` records why, and the record can close.
"""

from __future__ import annotations

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import UsageError
from hotfix.services.context import Context


def defer(ctx: Context, key: str, actor: str, reason: str) -> Hotfix:
    """Record the deferral and ``reason``; refused unless the record's kind allows it now."""
    if not reason.strip():
        raise UsageError("a deferral needs a reason: why the fix can wait",
                         hint=f'hotfix defer {key.upper()} --reason "ships with 1.3.0"')
    return ctx.records.act(key, "defer", actor, {"reason": reason.strip()})
