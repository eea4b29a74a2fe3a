"""What ties a rollout to the record: its events, and gate approvals read back from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotfix.services.context import Context


def recorder(ctx: Context, key: str, actor: str) -> Callable[[str, dict[str, Any]], None]:
    def on_event(kind: str, payload: dict[str, Any]) -> None:
        ctx.records.act(key, kind, actor, payload)
    return on_event


def gate_checker(ctx: Context, key: str) -> Callable[[int], bool]:
    """Whether step ``index`` (0-based) was approved since the latest deploy began."""
    def approved(index: int) -> bool:
        events = ctx.records.get(key).events
        starts = [i for i, e in enumerate(events) if e.kind == "deploy"]
        since = events[starts[-1]:] if starts else events
        return any(e.kind == "deploy_step" and e.payload.get("gate_approved") == index + 1
                   for e in since)
    return approved
