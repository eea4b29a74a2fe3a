"""Status updates while a severe record stays open: ``notify.status_every`` (severity →
how often) after the record's last triage, to the routes on ``status``.

Each update's id is the record's, its triage's and its count's, so any number of
dispatchers queueing it at once queue it once; a dispatcher that was down queues only the
update due now, not every one it missed."""

from __future__ import annotations

from datetime import datetime

from hotfix.config import Config
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.record.states import State
from hotfix.domain.record.timing import parse_duration
from hotfix.errors import ConfigError
from hotfix.ports.notify import Notice, Outbox, Outgoing
from hotfix.services.notify.notices import dashboard_link, severity_of
from hotfix.services.notify.routes import Routes

# Past these the fix is in production or the record is off the hotfix path: no more updates.
QUIET_STATES = frozenset({State.VERIFIED, State.FOLDED_BACK, State.CLOSED, State.REJECTED,
                          State.DEFERRED, State.COMPLETED, State.KILLED, State.EXPIRED,
                          State.REVERTED})


def cadences(cfg: Config) -> dict[str, int]:
    """``notify.status_every`` as seconds per severity (``ConfigError`` naming a bad one)."""
    out: dict[str, int] = {}
    for severity, every in cfg.table("notify.status_every").items():
        try:
            out[severity] = parse_duration(str(every))
        except ValueError as exc:
            raise ConfigError(f"notify.status_every.{severity}: {exc}",
                              hint='e.g. notify.status_every = { SEV1 = "30m", SEV2 = "2h" }'
                              ) from None
    return out


def queue_status_updates(cfg: Config, records: list[Hotfix], outbox: Outbox,
                         now: datetime) -> int:
    """Queue the status update each open severe record is due; how many were new."""
    every = cadences(cfg)
    if not every or not cfg.list("notify.routes"):
        return 0
    routes = Routes.from_config(cfg)
    queued = 0
    for record in records:
        outgoing = due_updates(record, every, routes, now, dashboard_link(cfg, record.key))
        if outgoing:
            queued += outbox.add(record.number, outgoing, now)
    return queued


def due_updates(record: Hotfix, every: dict[str, int], routes: Routes, now: datetime,
                link: str | None) -> list[Outgoing]:
    severity = severity_of(record)
    triaged = next((e for e in reversed(record.events) if e.kind == "triage"), None)
    if severity not in every or record.state in QUIET_STATES or triaged is None:
        return []
    count = int((now - triaged.at).total_seconds() // every[severity])
    if count < 1:
        return []
    return [Outgoing(channel, Notice(
        id=f"{record.key}.status.{triaged.seq}.{count}.{channel}", event="status",
        key=record.key, title=record.title, state=record.state.value, severity=severity,
        next_step=record.next_step(), link=link, at=now.isoformat(),
        details={"update": count, "open_for_seconds": round((now - record.opened_at)
                                                             .total_seconds())}))
        for channel in routes.destinations("status", severity)]
