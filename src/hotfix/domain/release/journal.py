"""The git journal: what the release engine began and what it finished, from the events.

Every git step first records a ``git`` note (``{"step": …, "phase": "begin", …}``), then
does its work, then records the lifecycle action (``start``, ``pick``, ``release``,
``backport``). A ``begin`` without its action is a step cut short: ``hotfix resume``
compares it with git's real state and finishes or undoes it. These functions only read
events; they decide nothing about git.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.events import Event

NOTE = "git"


@dataclass(frozen=True)
class PickState:
    queue: tuple[str, ...] = ()  # sources still to pick, in order
    pending: Mapping[str, Any] | None = None  # the conflict that stopped the queue
    mainline: int | None = None
    done: tuple[str, ...] = ()  # sources picked, in order


def notes(events: Iterable[Event], step: str) -> list[Mapping[str, Any]]:
    return [e.payload for e in events if e.kind == NOTE and e.payload.get("step") == step]


def begun(events: Iterable[Event], step: str, action: str) -> Mapping[str, Any] | None:
    """The newest ``begin`` of ``step`` not followed by its ``action`` event."""
    open_begin: Mapping[str, Any] | None = None
    for event in events:
        if event.kind == NOTE and event.payload.get("step") == step:
            if event.payload.get("phase") == "begin":
                open_begin = event.payload
            elif event.payload.get("phase") == "abort":
                open_begin = None
        elif event.kind == action:
            open_begin = None
    return open_begin


def pick_state(events: Iterable[Event]) -> PickState:
    queue: list[str] = []
    done: list[str] = []
    pending: Mapping[str, Any] | None = None
    mainline: int | None = None
    for event in events:
        payload = event.payload
        if event.kind == "pick":
            source = str(payload.get("source", ""))
            queue = [s for s in queue if s != source]
            done.append(source)
            pending = None
        elif event.kind == NOTE and payload.get("step") == "pick":
            queue, pending, mainline = _pick_note(payload, queue, pending, mainline)
    return PickState(tuple(queue), pending, mainline, tuple(done))


def _pick_note(payload: Mapping[str, Any], queue: list[str],
               pending: Mapping[str, Any] | None,
               mainline: int | None) -> tuple[list[str], Mapping[str, Any] | None, int | None]:
    phase = payload.get("phase")
    if phase == "begin":
        return [str(s) for s in payload.get("shas", [])], None, payload.get("mainline")
    if phase == "conflict":
        return queue, payload, mainline
    if phase in ("empty", "skip"):
        return [s for s in queue if s != payload.get("source")], None, mainline
    if phase == "abort":
        return [], None, mainline
    return queue, pending, mainline


@dataclass(frozen=True)
class TargetState:
    target: str
    status: str  # ported | merged | conflict | already present | skipped | failed
    detail: Mapping[str, Any] = field(default_factory=dict)


def backport_targets(events: Iterable[Event]) -> dict[str, TargetState]:
    """The latest recorded outcome of every backport target."""
    found: dict[str, TargetState] = {}
    for payload in notes(events, "backport"):
        if payload.get("phase") == "target":
            target = str(payload["target"])
            found[target] = TargetState(target, str(payload["status"]), payload)
    return found
