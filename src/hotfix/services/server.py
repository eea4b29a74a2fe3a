"""What a team server runs with: its own settings (never a client's ``hotfix.toml``) and
the parts ``hotfix.wiring.open_server`` builds for it (``hotfix.server.app.create_app``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import TYPE_CHECKING, Protocol

from hotfix.config import Config
from hotfix.domain.identity.access import ALL_PROJECTS, RECORD_ROLES, content_approver_roles
from hotfix.errors import ConfigError, NotFound
from hotfix.services.content.catalog import ContentSettings
from hotfix.services.identity.users import checked_project
from hotfix.services.record.records import LocalRecords, RecordSettings

if TYPE_CHECKING:
    from hotfix.domain.content.catalog import Catalog
    from hotfix.domain.record.lifecycle import Hotfix
    from hotfix.ports import (
        Clock,
        ContentCatalogs,
        EventImport,
        EventLog,
        Identities,
        NoticeWriter,
        NotifyAdapters,
        Publications,
        Signer,
        WitnessedLog,
    )
    from hotfix.ports.jobs import JobQueue
    from hotfix.services.content.changes import ContentDesk
    from hotfix.services.content.zones import ZoneCache
    from hotfix.services.jobs.scope import ProjectScope

Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class ServerSettings:
    """The server's settings: where it listens, whom it trusts, each project's record rules."""

    projects: Mapping[str, RecordSettings]  # project → the server's settings for its record
    default_project: str = "default"
    listen: str = "127.0.0.1:8600"
    trusted_proxies: tuple[Network, ...] = ()
    identity_header: str = "X-Forwarded-Email"
    rate_limit: int = 600  # requests per minute per token
    login_rate_limit: int = 20  # failed sign-ins per minute per address
    database_location: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
    content: Mapping[str, ContentSettings] = field(default_factory=dict)  # per project

    @classmethod
    def from_config(cls, cfg: Config, database_location: str = "") -> ServerSettings:
        project = checked_project(cfg.str("server.project") or "default")
        if project == ALL_PROJECTS:
            raise ConfigError("server.project cannot be *", hint='e.g. server.project = "shop"')
        return cls(projects={project: RecordSettings.from_config(cfg)},
                   content={project: ContentSettings.from_config(cfg)},
                   default_project=project, listen=cfg.str("server.listen"),
                   trusted_proxies=_networks(cfg.list("server.trusted_proxies")),
                   identity_header=cfg.str("server.identity_header"),
                   rate_limit=cfg.int("server.rate_limit"),
                   login_rate_limit=cfg.int("server.login_rate_limit"),
                   database_location=database_location)

    def with_project(self, name: str, record: RecordSettings,
                     content: ContentSettings | None = None) -> ServerSettings:
        return replace(self, projects={**self.projects, name: record},
                       content={**self.content, name: content or ContentSettings()})

    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"server.listen = {self.listen!r} is not host:port",
                              hint='e.g. server.listen = "127.0.0.1:8600"')
        return host.strip("[]"), int(port)


def _networks(given: list[object]) -> tuple[Network, ...]:
    out = []
    for item in given:
        try:
            out.append(ip_network(str(item).strip(), strict=False))
        except ValueError:
            raise ConfigError(f"server.trusted_proxies: {item!r} is not an address or network",
                              hint='e.g. server.trusted_proxies = ["10.0.0.5", "10.1.0.0/16"]'
                              ) from None
    return tuple(out)


@dataclass(frozen=True)
class ServerParts:
    """The adapters a server runs on: one event log per project, identities, the clock."""

    logs: Mapping[str, EventLog]
    identities: Identities
    clock: Clock
    close: Callable[[], None] = lambda: None
    imports: Mapping[str, EventImport] = field(default_factory=dict)  # per project
    content: Mapping[str, ContentCatalogs] = field(default_factory=dict)  # per project
    signer: Signer | None = None  # the key that signs every head (docs/security.md)
    witnesses: Mapping[str, WitnessedLog] = field(default_factory=dict)  # per project
    published: Mapping[str, Publications] = field(default_factory=dict)  # per project
    notify: Mapping[str, Telling] = field(default_factory=dict)  # per project
    jobs: JobQueue | None = None  # the background jobs (hotfix.ports.jobs)
    changes: ChangeFeed | None = None  # wakes live timelines when any replica appends
    zones: dict[str, ZoneCache] = field(default_factory=dict)  # derived zones, per project

    def integrity(self, project: str, records: Sequence[Hotfix],
                  whole: bool = True) -> dict[int | None, list[str]]:
        """What the project's signatures contradict: in its index of records (key None),
        records the index names that are gone, and each of ``records`` in depth. With
        ``whole`` False only ``records``' own signatures and the running head's are read
        (a record's page: its cost does not grow with the project)."""
        from hotfix.domain.record.witness import project_problems

        log = self.witnesses.get(project)
        if log is None or self.signer is None:
            return {}
        return project_problems(project, {r.number: list(r.events) for r in records},
                                log.witnessed(None if whole else [r.number for r in records]),
                                self.signer.verify)


@dataclass(frozen=True)
class Telling:
    """One project's notifications on the server: its settings, its outbox and channels,
    and the writer of the notices its events cause (queued in their transaction)."""

    cfg: Config
    adapters: NotifyAdapters
    writer: NoticeWriter | None


class ChangeFeed(Protocol):
    """Appends to a project's record, as they commit on any replica (PostgreSQL LISTEN/
    NOTIFY; None on SQLite, where live pages poll)."""

    def version(self, project: str, number: int) -> int | None:
        """A count that changes when record ``number`` of ``project`` gets events (from
        any replica); None while not listening (then read the record each time)."""
        ...

    def close(self) -> None: ...


def project_records(settings: ServerSettings, parts: ServerParts, project: str,
                    log: EventLog | None = None) -> LocalRecords:
    """The project's record, decided with the server's settings and the database's
    approvers (never an environment variable, never the client's hotfix.toml), its events'
    notices queued with them."""
    if project not in settings.projects or project not in parts.logs:
        raise NotFound(f"there is no project {project!r} on this server",
                       hint="the projects: GET /api/v1/projects")
    approvers = parts.identities.holders(project, RECORD_ROLES["approver"])
    content = settings.content.get(project, ContentSettings())
    changes = parts.identities.holders(project, content_approver_roles(content.approver_roles))
    given = settings.projects[project]  # who acts there is a token: next steps say no --as
    decided = replace(given, approvers=tuple(sorted(approvers)),
                      content_approvers=tuple(sorted(changes)),
                      lifecycle=replace(given.lifecycle, signed_in=True))
    telling = parts.notify.get(project)
    return LocalRecords(log or parts.logs[project], decided, parts.clock,
                        notices=telling.writer if telling is not None else None)


def project_scope(settings: ServerSettings, parts: ServerParts, project: str) -> ProjectScope:
    """What a background job runs against for ``project``."""
    from hotfix.services.jobs.scope import ProjectScope

    telling = parts.notify.get(project)
    if telling is None:
        raise NotFound(f"there is no project {project!r} on this server",
                       hint="the projects: GET /api/v1/projects")
    records = project_records(settings, parts, project)
    return ProjectScope(project, telling.cfg, records, telling.adapters, parts.clock,
                        content_desk(settings, parts, project, lambda: records))


def content_desk(settings: ServerSettings, parts: ServerParts, project: str,
                 records: Callable[[], LocalRecords]) -> ContentDesk | None:
    """The project's content desk, decided as ``records()`` (built only when a record is
    read or written: a zone served from the cache needs none); None: it keeps no catalog."""
    from hotfix.services.content.changes import ContentDesk, deciding_with
    from hotfix.services.content.zones import ZoneCache

    if project not in parts.content:
        return None

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(records(), catalog)

    cache = parts.zones.get(project) or parts.zones.setdefault(project, ZoneCache())
    content = settings.content.get(project, ContentSettings())
    return ContentDesk(parts.content[project], records_for, parts.clock, content.checkout,
                       lambda: records().settings.approvers,  # the project's approvers, admins
                       cache, parts.logs.get(project), content.approvals)
