"""What a notice says: built from the record as it is after an event, for one channel.

``NoticeWriter`` is what ``LocalRecords`` hands the event log, so the notices an event
causes are queued in the transaction that appends it: no service calls the notifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from hotfix.config import Config
from hotfix.domain.record.events import Event
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.ports.notify import Notice, Outgoing
from hotfix.services.notify.routes import Routes

_CHECK_FIELDS = ("name", "kind", "passed", "detail")


class NoticeWriter:
    """The notices new events cause, by ``notify.routes``; the routes read on first use, so
    a command that writes nothing never reads them."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    @cached_property
    def routes(self) -> Routes:
        return Routes.from_config(self.cfg)

    def __call__(self, record: Hotfix, new: Sequence[Event]) -> list[Outgoing]:
        if not self.cfg.list("notify.routes"):
            return []
        severity = severity_of(record)
        return [Outgoing(channel, event_notice(record, event, channel, self.link(record)))
                for event in new
                for channel in self.routes.destinations(event.kind, severity)]

    def link(self, record: Hotfix) -> str | None:
        return dashboard_link(self.cfg, record.key)


def dashboard_link(cfg: Config, key: str) -> str | None:
    base = cfg.str("notify.dashboard_url").rstrip("/")
    return f"{base}/hotfixes/{key}" if base else None


def severity_of(record: Hotfix) -> str | None:
    return str(record.triage["severity"]) if record.triage and record.triage.get(
        "severity") else None


def event_notice(record: Hotfix, event: Event, channel: str, link: str | None) -> Notice:
    """The notice of ``event`` to ``channel``: its id is the event's, so the same forever."""
    return Notice(id=f"{record.key}.{event.seq}.{event.hash[:12]}.{channel}",
                  event=event.kind, key=record.key, title=record.title,
                  state=record.state.value, severity=severity_of(record),
                  next_step=record.next_step(), link=link, at=event.at.isoformat(),
                  actor=event.actor, details=details(event.kind, event.payload))


def details(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a reader needs of the event's payload: a verification's every check, a reason."""
    out: dict[str, Any] = {}
    if kind == "verify":
        out["passed"] = bool(payload.get("passed"))
        out["against"] = str(payload.get("against", payload.get("base_url", "")))
        out["checks"] = [{k: c.get(k) for k in _CHECK_FIELDS}
                         for c in payload.get("checks", []) if isinstance(c, Mapping)]
    for key in ("reason", "note", "tag", "version", "line", "zone"):
        if isinstance(payload.get(key), str | int) and payload.get(key) != "":
            out[key] = payload[key]
    return out
