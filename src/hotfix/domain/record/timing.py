"""Time spent on a hotfix: wall time per state, and the active work people log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotfix.domain.record.events import Event
from hotfix.domain.record.lifecycle import Hotfix, State

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([dhms])")
MAX_DURATION = 30 * 86400  # one entry of logged work: at most 30 days


def parse_duration(text: str) -> int:
    """'45m', '1h30m', '1.5h', '90s', '2d' → seconds. A bare number means minutes."""
    raw = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw):
        return _bounded(float(raw) * 60, text)
    if not raw or _PART.sub("", raw):
        raise ValueError(f"cannot read {text!r} as a duration; use e.g. 45m, 1h30m, 1.5h, 90s")
    return _bounded(sum(float(n) * _UNITS[u] for n, u in _PART.findall(raw)), text)


def _bounded(seconds: float, text: str) -> int:
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {text!r}")
    if seconds > MAX_DURATION:
        raise ValueError(f"{text!r} is more than {MAX_DURATION // 86400}d of work in one entry; "
                         "log each stretch of work separately")
    return round(seconds)


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m"]
    return "".join(p for p in parts if p) or "0m"


@dataclass(frozen=True)
class TimeReport:
    wall_seconds: float  # opened → closed (or now)
    per_state: dict[str, float]
    active_seconds: int  # logged work
    active_by_person: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"wall_seconds": self.wall_seconds, "per_state": self.per_state,
                "active_seconds": self.active_seconds, "active_by_person": self.active_by_person,
                "unplanned_work_seconds": self.active_seconds}


def time_report(record: Hotfix, now: datetime) -> TimeReport:
    per_state: dict[str, float] = {}
    ends = [at for _, at in record.history[1:]]
    end_of_record = record.history[-1][1] if record.state is State.CLOSED else now
    for (state, start), end in zip(record.history, [*ends, end_of_record], strict=True):
        per_state[state.value] = per_state.get(state.value, 0.0) + (end - start).total_seconds()
    by_person = _logged(record.events)
    return TimeReport((end_of_record - record.opened_at).total_seconds(), per_state,
                      sum(by_person.values()), by_person)


def _logged(events: Iterable[Event]) -> dict[str, int]:
    out: dict[str, int] = {}
    for event in events:
        if event.kind == "time":
            who = str(event.payload.get("person", event.actor))
            out[who] = out.get(who, 0) + int(event.payload["seconds"])
    return out
