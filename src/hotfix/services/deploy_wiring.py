"""What ties a rollout to the rest of hotfix: the judge from settings, events on the record,
gate approvals read back from the record."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hotfix.config import SETTINGS, Config
from hotfix.errors import ConfigError
from hotfix.services.canary import JudgeLike
from hotfix.services.context import Context


def new_judge(cfg: Config) -> JudgeLike:
    """A fresh judge with the ``judge.*`` settings that exist."""
    from hotfix.domain.judge import Judge, JudgeSettings

    values: dict[str, Any] = {}
    for f in dataclasses.fields(JudgeSettings):
        if f"judge.{f.name}" in SETTINGS:
            values[f.name] = cfg.get(f"judge.{f.name}")
    if "judge.weights" in SETTINGS:
        for metric, weight in dict(cfg.get("judge.weights")).items():
            values[f"weight_{metric}"] = float(weight)
    try:
        judge: JudgeLike = Judge(JudgeSettings(**values))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"judge settings: {exc}", hint="see docs/judge.md") from None
    return judge


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
