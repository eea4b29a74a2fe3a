"""Who hears what: ``notify.channels`` (named places to tell) and ``notify.routes`` (event
kind and severity → channels), read and checked once. Pure decisions, no delivery."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotfix.config import Config
from hotfix.errors import ConfigError

CHANNEL_TYPES = ("webhook", "slack", "email", "purge")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ANY = "*"
QUIET_KINDS = frozenset({"git"})  # journal entries: never matched by "*"


@dataclass(frozen=True)
class Route:
    on: frozenset[str]  # event kinds, or "*"
    severities: frozenset[str]  # empty: any severity (and none)
    to: tuple[str, ...]

    def matches(self, kind: str, severity: str | None) -> bool:
        kind_ok = kind in self.on or (ANY in self.on and kind not in QUIET_KINDS)
        return kind_ok and (not self.severities or severity in self.severities)


@dataclass(frozen=True)
class Routes:
    channels: Mapping[str, Mapping[str, Any]]  # name → its table, type checked
    routes: tuple[Route, ...]

    @classmethod
    def from_config(cls, cfg: Config) -> Routes:
        channels = channel_specs(cfg.table("notify.channels"))
        return cls(channels, tuple(_route(i, raw, channels)
                                   for i, raw in enumerate(cfg.list("notify.routes"))))

    def destinations(self, kind: str, severity: str | None) -> list[str]:
        """The channels an event of ``kind`` on a record of ``severity`` goes to, each once."""
        out: list[str] = []
        for route in self.routes:
            if route.matches(kind, severity):
                out.extend(c for c in route.to if c not in out)
        return out


def channel_specs(raw: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """``notify.channels``, each name and type checked (``ConfigError`` naming the bad one)."""
    for name, spec in raw.items():
        where = f"notify.channels.{name}"
        if not _NAME.fullmatch(name):
            raise ConfigError(f"{where}: a channel name is letters, digits, - and _",
                              hint="rename it, e.g. [notify.channels.oncall]")
        if not isinstance(spec, Mapping) or spec.get("type") not in CHANNEL_TYPES:
            raise ConfigError(f"{where} needs type = one of: {', '.join(CHANNEL_TYPES)}",
                              hint=f'[{where}] type = "webhook" url = "https://…"')
    return dict(raw)


def _route(index: int, raw: Any, channels: Mapping[str, Any]) -> Route:
    where = f"notify.routes[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table", hint=_ROUTE_HINT)
    unknown = set(raw) - {"on", "severity", "to"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys {sorted(unknown)}", hint=_ROUTE_HINT)
    on, severities, to = (_strings(raw.get(k, []), f"{where}.{k}") for k in
                          ("on", "severity", "to"))
    if not on or not to:
        raise ConfigError(f"{where} needs both on = [event kinds] and to = [channels]",
                          hint=_ROUTE_HINT)
    missing = [c for c in to if c not in channels]
    if missing:
        raise ConfigError(f"{where} sends to {', '.join(missing)}, not in notify.channels",
                          hint=f"add [notify.channels.{missing[0]}] with its type, or remove it "
                          "from the route")
    return Route(frozenset(on), frozenset(severities), tuple(to))


def _strings(value: Any, where: str) -> Sequence[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where} must be a list of names", hint=_ROUTE_HINT)
    return value


_ROUTE_HINT = ('[[notify.routes]] on = ["triage"] severity = ["SEV1"] to = ["oncall"]; '
               "see docs/notifications.md")
