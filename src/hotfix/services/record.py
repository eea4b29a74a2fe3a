"""The hotfix record: open, triage, approve, act on, read, verify.

Every change goes through ``act``: under the store's per-record lock it derives the current
state from the events, asks the lifecycle whether the action is allowed, records an
``override`` event first when an approver forces a guard, then the action's own event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hotfix.domain import triage as rubric
from hotfix.domain.events import ChainReport, Event, verify_chain
from hotfix.domain.lifecycle import Hotfix, derive, forcing, plan
from hotfix.domain.lifecycle_settings import (
    LifecycleSettings,
    LifecycleSettingsError,
    lifecycle_settings,
)
from hotfix.domain.timing import TimeReport, parse_duration, time_report
from hotfix.errors import ConfigError, GuardRefused, NotFound, UsageError
from hotfix.services.context import Context


def parse_key(ctx: Context, key: str) -> int:
    prefix = ctx.cfg.str("records.prefix")
    match = re.fullmatch(rf"(?:{re.escape(prefix)}-)?(\d+)", key.strip(), re.IGNORECASE)
    if not match:
        raise UsageError(f"{key!r} is not a hotfix id", hint=f"ids look like {prefix}-1; "
                         "see them all: hotfix list")
    return int(match.group(1))


def format_key(ctx: Context, number: int) -> str:
    return f"{ctx.cfg.str('records.prefix')}-{number}"


def _derive(ctx: Context, events: list[Event]) -> Hotfix:
    return derive(format_key(ctx, events[0].hotfix), events,
                  ctx.cfg.table("approvals.required"), settings=_lifecycle(ctx))


def _lifecycle(ctx: Context) -> LifecycleSettings:
    try:
        return lifecycle_settings(ctx.cfg.str("project.kind"), ctx.cfg.table("close.require"),
                                  ctx.cfg.table("guards.enable"), ctx.cfg.list("content.templates"))
    except LifecycleSettingsError as exc:
        raise ConfigError(str(exc), hint="see docs/lifecycle.md for the record kinds, their "
                          "guards and close requirements") from None


def get(ctx: Context, key: str) -> Hotfix:
    number = parse_key(ctx, key)
    try:
        events = ctx.store.events(number)
    except NotFound:
        raise NotFound(f"there is no hotfix {format_key(ctx, number)}",
                       hint="see them all: hotfix list") from None
    return _derive(ctx, events)


def list_all(ctx: Context, states: set[str] | None = None) -> list[Hotfix]:
    records = [_derive(ctx, evs) for evs in ctx.store.all_events().values() if evs]
    return [r for r in records if not states or r.state.value in states]


def open_hotfix(ctx: Context, title: str, actor: str,
                answers: Mapping[str, Any] | None = None) -> Hotfix:
    """Record a new bug; triage it at once when the required answers are given."""
    if not title.strip():
        raise UsageError("a hotfix needs a title", hint='hotfix open "Checkout returns 500 …"')
    decision = _decision(ctx, answers) if answers else None
    opened = ctx.store.create(title.strip(), actor, ctx.now(), {"title": title.strip()})
    key = format_key(ctx, opened.hotfix)
    if answers:
        return act(ctx, key, "triage", actor, _triage_payload(answers, decision))
    return get(ctx, key)


def triage(ctx: Context, key: str, actor: str, answers: Mapping[str, Any]) -> Hotfix:
    """(Re-)triage with new answers, merged over the answers given before."""
    merged = answers_with(get(ctx, key), answers)
    return act(ctx, key, "triage", actor, _triage_payload(merged, _decision(ctx, merged)))


def answers_with(record: Hotfix, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given at the last triage, with ``answers`` over them."""
    before = record.last("triage") or {}
    return {**dict(before.get("answers", {})), **dict(answers)}


def _triage_payload(answers: Mapping[str, Any],
                    decision: rubric.Decision | None) -> dict[str, Any]:
    given = {k: v for k, v in answers.items() if v is not None}
    return {"answers": given, "decision": decision.to_dict() if decision else None,
            "missing": rubric.missing_answers(given)}


def _decision(ctx: Context, answers: Mapping[str, Any]) -> rubric.Decision | None:
    given = {k: v for k, v in answers.items() if v is not None}
    try:
        rubric.normalise_answers(given)
        if rubric.missing_answers(given):
            return None
        return rubric.decide(given, ctx.cfg.list("triage.severity_rules"),
                             ctx.cfg.list("triage.route_rules"),
                             ctx.cfg.list("content.templates"))
    except rubric.RubricError as exc:
        raise UsageError(str(exc), hint="see docs/triage.md for the questions and rubric") from None


def act(ctx: Context, key: str, action: str, actor: str, payload: Mapping[str, Any],
        override: str | None = None) -> Hotfix:
    """Do ``action`` if the lifecycle allows it (or an approver overrides); record it."""
    number = parse_key(ctx, key)
    approvers = [str(a) for a in ctx.cfg.list("approvals.approvers")]

    before: list[Event] = []

    def decide(events: list[Event]) -> list[tuple[str, str, dict[str, Any]]]:
        before[:] = events
        record = _derive(ctx, events)
        body = dict(payload)
        refusal = plan(record, action, actor, body, approvers)
        drafts: list[tuple[str, str, dict[str, Any]]] = []
        if refusal is not None:
            if override is None:
                raise GuardRefused(refusal.message, hint=refusal.command_hint)
            denied = forcing(refusal, actor, {"approver": approvers})
            if denied is not None:
                raise GuardRefused(denied.message, hint=denied.hint)
            drafts.append((actor, "override", {"action": action, "reason": override,
                                               "refused": refusal.message}))
            body["override"] = True
        drafts.append((actor, action, body))
        return drafts

    try:
        added = ctx.store.append(number, decide, ctx.now())
    except NotFound:
        raise NotFound(f"there is no hotfix {format_key(ctx, number)}",
                       hint="see them all: hotfix list") from None
    return _derive(ctx, [*before, *added])  # what the lock saw, plus ours: no second read


def log_time(ctx: Context, key: str, actor: str, duration: str, note: str = "") -> Hotfix:
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return act(ctx, key, "time", actor, {"seconds": seconds, "person": actor, "note": note})


def timing(ctx: Context, key: str) -> TimeReport:
    return time_report(get(ctx, key), ctx.now())


def verify(ctx: Context, key: str) -> ChainReport:
    number = parse_key(ctx, key)
    record = get(ctx, key)
    return verify_chain(list(record.events), ctx.store.head(number))
