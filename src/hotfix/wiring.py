"""The composition root: the one place that turns settings into adapters.

Every service receives what it uses on its ``Context``; nothing outside this module (and
tests, which pass fakes in) constructs an adapter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.exclude import ensure_state_dir
from hotfix.adapters.git.repo import Git
from hotfix.adapters.git.repository import repo_root
from hotfix.config import Config, load_config, resolved_later
from hotfix.errors import ConfigError, NotConfigured, NotFound, UsageError
from hotfix.ports import (
    Addresses,
    Clock,
    Controllers,
    DeployTarget,
    GitRepo,
    JudgeLike,
    MetricsFactory,
    MetricsSource,
    Notifier,
    Outbox,
    Outgoing,
    RolloutStates,
    Router,
    UserJudgeLike,
)
from hotfix.services.context import Context
from hotfix.services.record.records import LocalRecords, RecordSettings

if TYPE_CHECKING:
    from hotfix.adapters.store.lite import LiteRecord
    from hotfix.adapters.store.sql import SqlStore
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.domain.record.events import Event
    from hotfix.domain.record.lifecycle import Hotfix
    from hotfix.ports import Cache, Identities, Records, Signer, Store, Waivers
    from hotfix.ports.ci import CIPipeline, CIResult
    from hotfix.ports.content import Content, ContentCatalogs
    from hotfix.ports.jobs import JobQueue
    from hotfix.services.jobs.scope import ProjectScope
    from hotfix.services.notify.notices import NoticeWriter
    from hotfix.services.server import ChangeFeed, ServerParts, ServerSettings, Telling

if TYPE_CHECKING:
    from hotfix.adapters.ci.http import Api
    from hotfix.adapters.deploy.command import DeployCommand
    from hotfix.adapters.store.backup import Copy
    from hotfix.domain.judge.intervals import Interval
    from hotfix.domain.judge.settings import JudgeSettings
    from hotfix.services.rollout.judge_files import ReadRequests

T = TypeVar("T")


def open_context(
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    rollout: RolloutParts | None = None,
    notifiers: Mapping[str, Notifier] | None = None,
) -> Context:
    """Find the repository above ``start``, load its settings, build its adapters.

    Tests pass fakes in (``store=MemoryStore()``, ``clock=ManualClock()``, ``rollout=
    RolloutParts(target=FakeTarget(), …)``, ``notifiers={"oncall": FakeNotifier()}``); no
    setting selects them."""
    git, cfg = find_settings(start, environ, overrides)
    root = git.root
    clock = clock or SystemClock()
    remote = open_remote(cfg, environ, clock)
    try:
        if remote is not None:  # the server decides: its policy, also for the local pre-checks
            cfg = with_mainline(git, load_config(root, environ,
                                                 {**(overrides or {}), **remote.policy}))
        store = store or cast("Store", LazyStore(root, cfg))
        notices = LazyNoticeWriter(cfg) if cfg.list("notify.routes") else None
        records: Records = (remote.records if remote is not None
                            else LocalRecords(store, RecordSettings.from_config(cfg), clock,
                                              notices=notices))
        closers = (store.close, remote.close) if remote is not None else (store.close,)
        return Context(root=root, cfg=cfg, records=records,
                       cache=store.cache, waivers=store.waivers, clock=clock, git=git,
                       rollout=WiredRollout(cfg, root, rollout or RolloutParts(), environ,
                                            server=remote_api(records) if remote else None),
                       notify=WiredNotify(cfg, environ, store.outbox, notifiers),
                       ci=open_ci(cfg, environ), closers=closers,
                       acting_as=remote.email if remote is not None else None,
                       content=store.content if remote is None else None)
    except BaseException:  # a setting refused after signing in: the connection is not left open
        if remote is not None:
            remote.close()
        raise


def content_desk(ctx: Context) -> Content:
    """The content use cases for ``hotfix content``: on the local record, or on the team
    server when signed in (it keeps the catalog and decides)."""
    from hotfix.adapters.remote.content import RemoteContent
    from hotfix.adapters.remote.records import RemoteRecords
    from hotfix.domain.content.catalog import Catalog
    from hotfix.services.content.catalog import ContentSettings
    from hotfix.services.content.changes import ContentDesk, deciding_with

    local = ctx.records
    if isinstance(local, RemoteRecords):
        return RemoteContent(local)
    if ctx.content is None or not isinstance(local, LocalRecords):
        raise NotConfigured("this record keeps no content catalog",
                            hint="hotfix content needs the SQL record or a team server")

    def records_for(catalog: Catalog) -> LocalRecords:
        return deciding_with(local, catalog)

    content = ContentSettings.from_config(ctx.cfg)
    return ContentDesk(ctx.content, records_for, ctx.clock, content.checkout,
                       local.settings.approvers, needed=content.approvals)


@dataclass(frozen=True)
class Remote:
    """Client mode: the team server's record, the token's user, the server's policy."""

    records: Records
    email: str
    policy: Mapping[str, Any]  # settings the server decides with, over the local ones
    close: Callable[[], None]


def server_credentials(cfg: Config, environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(url, token) of the team server this CLI acts through, or None in local mode."""
    from hotfix.adapters.remote.credentials import load

    url, token = cfg.str("server.url").rstrip("/"), cfg.str("server.token")
    kept = load(environ)
    if not url and kept is None:
        return None
    if not url and kept is not None:
        url = kept.url
    if not token and kept is not None and kept.url == url:
        token = kept.token
    checked_server_url(url)
    if not token.strip():
        raise NotConfigured(f"server.url is {url} but there is no token for it",
                            hint=f"hotfix login {url}, or set HOTFIX_TOKEN")
    if not (token.isascii() and token.isprintable()) or " " in token.strip():
        raise ConfigError("the server token is not a token (printable ASCII, no spaces)",
                          hint=f"hotfix login {url}, or set HOTFIX_TOKEN to what "
                          "hotfix users add printed")
    return url, token.strip()


def checked_server_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; else a ``ConfigError`` saying so."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises ValueError
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and url.isprintable()
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(f"server.url {url!r} is not an http(s) URL of a server",
                          hint="e.g. HOTFIX_SERVER=https://hotfix.shop.example, or "
                          "hotfix login https://hotfix.shop.example")
    return url


def sign_in(url: str, token: str, environ: Mapping[str, str]) -> dict[str, str]:
    """``hotfix login``: check the token against the server, then keep it (mode 0600)."""
    from hotfix.adapters.remote.client import ServerClient
    from hotfix.adapters.remote.credentials import Credentials, save
    from hotfix.errors import UsageError

    url = checked_server_url(url.strip().rstrip("/"))
    if not (token.isascii() and token.isprintable()):
        raise UsageError("that is not a token (printable ASCII)",
                         hint="paste what hotfix users add printed")
    client = ServerClient(url, token)
    try:
        me = client.get("/api/v1/me")
    finally:
        client.close()
    path = save(environ, Credentials(url, token, str(me["email"])))
    return {"url": url, "email": str(me["email"]), "path": str(path)}


def import_to_server(start: Path, environ: Mapping[str, str],
                     source: str | None = None) -> dict[str, Any]:
    """``hotfix server import``: the repository's local record (or the database ``source``)
    into its project on the team server, every number, event and hash kept."""
    from hotfix.adapters.remote.client import ServerClient
    from hotfix.adapters.store.sql import SqlStore

    git, cfg = find_settings(start, environ)
    found = server_credentials(cfg, environ)
    if found is None:
        raise NotConfigured("there is no team server to import into",
                            hint="sign in first: hotfix login URL")
    store = SqlStore(source or database_url(git.root, cfg))
    try:
        records, where = store.all_events(), store.location
    finally:
        store.close()
    body = {"records": [{"events": [e.to_dict() for e in evs]} for evs in records.values() if evs]}
    project = cfg.str("server.project")
    client = ServerClient(found[0], found[1], timeout=max(cfg.float("server.timeout"), 120.0))
    try:
        done = client.post(f"/api/v1/projects/{project}/import", body)
    finally:
        client.close()
    return {"from": where, "server": found[0], "project": project,
            "imported": list(done["imported"])}


def sign_out(environ: Mapping[str, str]) -> bool:
    from hotfix.adapters.remote.credentials import forget

    return forget(environ)


def open_remote(cfg: Config, environ: Mapping[str, str], clock: Clock) -> Remote | None:
    """The team server's ``Records`` when one is configured (``hotfix login``,
    HOTFIX_SERVER + HOTFIX_TOKEN), else None."""
    found = server_credentials(cfg, environ)
    if found is None:
        return None
    from hotfix.adapters.remote.client import ServerClient
    from hotfix.adapters.remote.records import RemoteRecords
    from hotfix.adapters.remote.seen import SeenHeads, seen_path

    client = ServerClient(found[0], found[1], timeout=cfg.float("server.timeout"))
    try:
        records = RemoteRecords(client, cfg.str("server.project"), clock,
                                SeenHeads(seen_path(environ)))
        me = client.get(f"{records.base}/me")
        policy = {"approvals.approvers": list(records.approvers),
                  "approvals.required": records.approvals_required,
                  "records.prefix": records.prefix}
    except BaseException:
        client.close()
        raise
    return Remote(records, str(me["email"]), policy, client.close)


def find_settings(
    start: Path, environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> tuple[GitRepo, Config]:
    """The repository above ``start`` and its resolved settings (no store opened)."""
    git = open_git(start)
    return git, with_mainline(git, load_config(git.root, environ, overrides))


def with_mainline(git: GitRepo, cfg: Config) -> Config:
    """``cfg`` whose ``lines.mainline``, when not set, is found in git the first time a
    command reads it (``hotfix.services.git.lines.mainline_name``: origin/HEAD, else main,
    else master); commands that never read it never ask git."""
    if cfg.str("lines.mainline").strip():
        return cfg

    def found() -> str:
        from hotfix.services.git.lines import mainline_name

        return mainline_name(git, cfg)

    return resolved_later(cfg, "lines.mainline", found, "git")


def open_clock() -> Clock:
    """The real clock, for commands that run a service without a context."""
    return SystemClock()


def open_git(start: Path) -> GitRepo:
    """The repository around ``start``, bound to the top of its work tree."""
    return Git(repo_root(start))


def open_store(root: Path, cfg: Config) -> Store:
    """SQLite in ``.hotfix/`` when ``database.url`` is empty, else the database it names
    (wrapped to die at ``testing.failpoint`` when one is set: hotfix's fault-injection tests)."""
    from hotfix.adapters.store.sql import SqlStore

    store: Store = SqlStore(database_url(root, cfg))
    spec = cfg.str("testing.failpoint")
    if spec:
        from hotfix.adapters.store.failpoints import CrashingStore, Failpoint

        try:
            point = Failpoint(spec)
        except ValueError as exc:
            store.close()
            raise ConfigError(str(exc), hint="e.g. HOTFIX_FAILPOINT=git:pick:begin") from None
        store = CrashingStore(store, point)
    return store


class Deferred:
    """An adapter made by ``make`` on the first use of any of its attributes."""

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._made: object | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_make", "_made"):  # copy, pickle: no adapter
            raise AttributeError(name)
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


class LazyStore:
    """``open_store``'s store, opened when a command first reads or writes the record, the
    cache, the waivers, the outbox or the content catalogs: one that uses none of them
    (``hotfix lines``, a usage error found before) neither imports SQLAlchemy nor opens the
    database. Every other attribute is the opened store's.

    The cache, the waivers and the events of a SQLite record at the current schema (a new
    one is created at it) are read (and the cache written) through ``sqlite3``
    (``hotfix.adapters.store.lite``): ``hotfix audit`` and ``hotfix contains`` need nothing
    else, and importing SQLAlchemy would cost more than a warm audit's own work. The first
    use of anything else opens the SQL store, which then serves everything."""

    def __init__(self, root: Path, cfg: Config) -> None:
        from hotfix.adapters.store.urls import refuse_malformed

        self.root, self.cfg = root, cfg
        self.opened: Store | None = None
        self._lite: LiteRecord | None = None
        self._tried_lite = False
        if cfg.str("database.url"):
            refuse_malformed(cfg.str("database.url"))  # a typo refused at once, as before
        self.cache = cast("Cache", Deferred(lambda: self.reader.cache))
        self.waivers = cast("Waivers", LazyWaivers(self))
        self.outbox = cast("Outbox", Deferred(lambda: self.store.outbox))
        self.content = cast("ContentCatalogs", Deferred(lambda: self.store.content))

    @property
    def store(self) -> Store:
        if self.opened is None:
            self.opened = open_store(self.root, self.cfg)
        return self.opened

    @property
    def reader(self) -> Store | LiteRecord:
        """What reads the cache, the waivers and the events: the SQL store once it is open,
        else the SQLite file through ``sqlite3`` when it can, else the SQL store."""
        if self.opened is not None:
            return self.opened
        if not self._tried_lite:
            self._tried_lite, self._lite = True, self._open_lite()
        return self._lite or self.store

    def _open_lite(self) -> LiteRecord | None:
        from hotfix.adapters.store.lite import LiteRecord, create_at_head, sqlite_path

        if self.cfg.str("testing.failpoint"):
            return None  # the fault-injection wrapper is the SQL store's
        url = self.cfg.str("database.url")
        if url:
            path = sqlite_path(url)
        else:
            path = self.root / ".hotfix" / "hotfix.db"
            if not path.exists():
                ensure_state_dir(self.root)
        if path is None:
            return None
        create_at_head(path)  # a new record, as the SQL store would make it
        return LiteRecord.open(path)

    def all_events(self) -> dict[int, list[Event]]:
        return self.reader.all_events()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("root", "cfg", "opened", "_lite", "_tried_lite"):
            raise AttributeError(name)
        return getattr(self.store, name)

    def close(self) -> None:
        if self._lite is not None:
            self._lite.close()
        if self.opened is not None:
            self.opened.close()


class LazyWaivers:
    """``LazyStore``'s waivers: read like its cache, recorded by the SQL store."""

    def __init__(self, store: LazyStore) -> None:
        self._store = store

    def add(self, waiver: Waiver) -> Waiver:
        return self._store.store.waivers.add(waiver)

    def all(self) -> list[Waiver]:
        from hotfix.adapters.store.lite import LiteRecord

        reader = self._store.reader
        return reader.waivers() if isinstance(reader, LiteRecord) else reader.waivers.all()


# ── the team's CI as the check's test runner (docs/integrations.md) ─────────────────────

CI_SYSTEMS = ("local", "github-actions", "jenkins", "circleci")
CI_TOKENS = {"github-actions": "GITHUB_TOKEN", "jenkins": "JENKINS_API_TOKEN",
             "circleci": "CIRCLECI_TOKEN"}
CI_URLS = {"github-actions": "https://api.github.com", "circleci": "https://circleci.com/api/v2"}


class LazyCI:
    """``check.backend``'s pipeline, built (and its token read) only when a check runs."""

    def __init__(self, cfg: Config, environ: Mapping[str, str]) -> None:
        self.cfg, self.environ = cfg, dict(environ)
        self.system = cfg.str("check.backend")

    def run(self, branch: str, sha: str, on_progress: Callable[[str], None]) -> CIResult:
        pipeline = build_ci(self.cfg, self.environ)
        try:
            return pipeline.run(branch, sha, on_progress)
        finally:
            pipeline.close()

    def close(self) -> None:
        """Nothing is open until a run."""


def open_ci(cfg: Config, environ: Mapping[str, str]) -> CIPipeline | None:
    system = cfg.str("check.backend")
    if system not in CI_SYSTEMS:
        raise ConfigError(f"check.backend {system!r} is not one of {', '.join(CI_SYSTEMS)}",
                          hint="check.backend = \"local\" runs the tests here")
    return None if system == "local" else LazyCI(cfg, environ)


def build_ci(cfg: Config, environ: Mapping[str, str]) -> CIPipeline:
    """The CI pipeline ``check.backend`` names, with its token from the environment."""
    from hotfix.adapters.ci.circleci import CircleCI
    from hotfix.adapters.ci.github import GitHubActions
    from hotfix.adapters.ci.http import Api
    from hotfix.adapters.ci.jenkins import Jenkins

    system = cfg.str("check.backend")
    token_env = cfg.str("ci.token_env") or CI_TOKENS[system]
    token = environ.get(token_env, "").strip()
    if not token:
        raise ConfigError(f"check.backend = {system!r} needs a token in ${token_env}, which "
                          "is not set", hint=f"export {token_env}=… (or name another variable "
                                             "with ci.token_env)")
    url = cfg.str("ci.url") or CI_URLS.get(system, "")
    poll, timeout = cfg.float("ci.poll_seconds"), cfg.float("ci.timeout_seconds")
    start = cfg.float("ci.start_timeout_seconds")
    if system == "github-actions":
        repo = _required(cfg, "ci.github_repo", "OWNER/NAME")
        api = Api(system, url, {"Authorization": f"Bearer {token}",
                                "Accept": "application/vnd.github+json",
                                "X-GitHub-Api-Version": "2022-11-28"}, token_env)
        return GitHubActions(api, repo, cfg.str("ci.github_workflow"),
                             cfg.str("ci.github_artifact"), poll_seconds=poll, timeout=timeout,
                             start_timeout=start)
    if system == "jenkins":
        user_env = cfg.str("ci.user_env")
        user = environ.get(user_env, "").strip()
        if not url or not user:
            raise ConfigError("check.backend = \"jenkins\" needs ci.url and a user in "
                              f"${user_env}", hint=f"set ci.url = \"https://ci.example\" and "
                                                   f"export {user_env}=…")
        api = Api(system, url, {}, token_env, auth=(user, token))
        return Jenkins(api, _required(cfg, "ci.jenkins_job", "folder/name"), poll_seconds=poll,
                       timeout=timeout, start_timeout=start)
    api = Api(system, url, {"Circle-Token": token}, token_env)
    return CircleCI(api, _required(cfg, "ci.circleci_project", "gh/ORG/REPO"),
                    poll_seconds=poll, timeout=timeout, start_timeout=start)


def _required(cfg: Config, key: str, example: str) -> str:
    value = cfg.str(key)
    if not value:
        raise ConfigError(f"check.backend = {cfg.str('check.backend')!r} needs {key}",
                          hint=f"set {key} = \"{example}\" in hotfix.toml")
    return value


def database_url(root: Path, cfg: Config) -> str:
    """``database.url``, or SQLite in ``.hotfix/`` when it is empty."""
    from hotfix.adapters.store.database import sqlite_url

    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return url


# ── the team server (docs/server.md) ─────────────────────────────────────────────────


def server_database_url(start: Path, cfg: Config) -> str:
    """The server's database: ``database.url``, else SQLite in ``start/.hotfix/``."""
    from hotfix.adapters.store.database import sqlite_url

    url = cfg.str("database.url")
    if url:
        return url
    (start / ".hotfix").mkdir(parents=True, exist_ok=True)
    return sqlite_url(start)


def server_config(start: Path, environ: Mapping[str, str],
                  overrides: Mapping[str, Any] | None = None) -> Config:
    """The server's own settings: the hotfix.toml in the directory it serves from."""
    return load_config(start, environ, overrides)


def open_identities(start: Path, environ: Mapping[str, str]) -> tuple[Identities, Clock,
                                                                        Callable[[], None]]:
    """The server database's users and tokens (``hotfix users``), its clock, its closer."""
    from hotfix.adapters.store.sql import SqlStore

    store = SqlStore(server_database_url(start, server_config(start, environ)))
    return store.identities, SystemClock(), store.close


def open_server(start: Path, environ: Mapping[str, str],
                overrides: Mapping[str, Any] | None = None) -> tuple[ServerSettings, ServerParts]:
    """What ``hotfix serve`` runs on: its settings, each project's record, the identities.

    ``start/hotfix.toml`` is the server's and its first project's (``server.project``);
    every ``start/projects/NAME/hotfix.toml`` is one more project, with its own settings and
    its own record (``database.url`` there, else SQLite in ``projects/NAME/.hotfix/``)."""
    from hotfix.adapters.store.sql import SqlStore
    from hotfix.services.content.catalog import ContentSettings
    from hotfix.services.server import ServerParts, ServerSettings

    cfg = server_config(start, environ, overrides)
    main = SqlStore(server_database_url(start, cfg))
    stores: list[SqlStore] = [main]
    try:
        settings = ServerSettings.from_config(cfg, main.location)
        logs: dict[str, SqlStore] = dict.fromkeys(settings.projects, main)
        configs = dict.fromkeys(settings.projects, cfg)
        for name, where in project_dirs(start, settings.default_project):
            pcfg = load_config(where, _project_environ(environ))
            stores.append(SqlStore(server_database_url(where, pcfg)))
            logs[name], configs[name] = stores[-1], pcfg
            settings = settings.with_project(name, RecordSettings.from_config(pcfg),
                                             ContentSettings.from_config(pcfg))
        telling = {name: _telling(configs[name], environ, logs[name]) for name in logs}
        signer = signing_key(start, cfg)
        for name, store in logs.items():
            store.witness(signer, name)
        parts = ServerParts(dict(logs), main.identities, SystemClock(), imports=dict(logs),
                            content={name: s.content for name, s in logs.items()},
                            notify=telling, signer=signer, witnesses=dict(logs),
                            published={name: s.published for name, s in logs.items()})
        jobs = open_jobs(cfg, settings, parts, main.location_url)
        changes = open_changes(logs)
    except BaseException:
        for store in stores:
            store.close()
        raise

    def close() -> None:
        jobs.stop()
        if changes is not None:
            changes.close()
        for store in stores:
            store.close()

    return settings, replace(parts, jobs=jobs, changes=changes, close=close)


def _telling(cfg: Config, environ: Mapping[str, str], store: Store) -> Telling:
    """One project's notifications on the server: the writer of its notices (when it
    routes any), its outbox and channels."""
    from hotfix.services.notify.routes import Routes
    from hotfix.services.server import Telling

    writer = None
    if cfg.list("notify.routes"):
        Routes.from_config(cfg)  # a route to nowhere stops the server here, not each write
        writer = LazyNoticeWriter(cfg)
    return Telling(cfg, WiredNotify(cfg, environ, store.outbox, None), writer)


JOB_RUNNERS = ("auto", "in-process", "worker")


def open_jobs(cfg: Config, settings: ServerSettings, parts: ServerParts,
              url: str) -> JobQueue:
    """The server's background jobs (``jobs.runner``): on procrastinate in the server's
    PostgreSQL, run by ``hotfix worker``; or a thread of ``hotfix serve`` (SQLite)."""
    from hotfix.adapters.jobs.in_process import InProcessJobs
    from hotfix.services.jobs.catalog import tasks
    from hotfix.services.server import project_scope

    runner = cfg.str("jobs.runner")
    if runner not in JOB_RUNNERS:
        raise ConfigError(f"jobs.runner = {runner!r} is not one of {', '.join(JOB_RUNNERS)}",
                          hint='jobs.runner = "auto": in-process on SQLite, workers on '
                          "PostgreSQL")
    postgres = url.startswith("postgresql")
    if runner == "worker" and not postgres:
        raise ConfigError("jobs.runner = \"worker\" needs PostgreSQL (database.url)",
                          hint='on SQLite the jobs run in hotfix serve: jobs.runner = "auto"')

    def scope_of(project: str) -> ProjectScope:
        return project_scope(settings, parts, project)

    bound = tasks(cfg, scope_of)
    if postgres and runner != "in-process":
        from hotfix.adapters.jobs.procrastinate_queue import ProcrastinateJobs

        return ProcrastinateJobs(url, bound, list(settings.projects),
                                 heartbeat=cfg.float("jobs.heartbeat_seconds"),
                                 stalled_after=cfg.float("jobs.stalled_after"))
    return InProcessJobs(bound, list(settings.projects))


def jobs_runner(parts: ServerParts) -> str:
    """Who runs the server's jobs, for people."""
    from hotfix.adapters.jobs.in_process import InProcessJobs

    return "in this process" if isinstance(parts.jobs, InProcessJobs) else "hotfix worker"


def run_worker(start: Path, environ: Mapping[str, str], name: str | None = None) -> None:
    """``hotfix worker``: run the server's background jobs until SIGINT/SIGTERM."""
    from hotfix.adapters.jobs.procrastinate_queue import ProcrastinateJobs

    settings, parts = open_server(start, environ)
    try:
        if not isinstance(parts.jobs, ProcrastinateJobs):
            raise ConfigError(
                f"hotfix worker runs jobs on PostgreSQL; {settings.database_location} is not "
                "(or jobs.runner = \"in-process\")",
                hint="set HOTFIX_DATABASE_URL=postgresql+psycopg://…; on SQLite hotfix serve "
                "runs the jobs itself")
        for telling in parts.notify.values():
            telling.adapters.channels()  # a secret missing here: say so before any job
        parts.jobs.work(name)
    finally:
        parts.close()


def open_changes(logs: Mapping[str, SqlStore]) -> ChangeFeed | None:
    """PostgreSQL: one LISTEN connection per database, waking the live timelines of every
    replica when any appends. SQLite: None, or no entry for the project (its pages poll)."""
    urls = {name: store.location_url for name, store in logs.items()
            if store.location_url.startswith("postgresql")}
    if not urls:
        return None
    from hotfix.adapters.store.listen import AppendListener

    return AppendListener(urls)


@dataclass(frozen=True)
class ProjectApi:
    """The signed-in project's API on the team server (client mode): paths are relative to
    ``/api/v1/projects/P``; failures come back as the HotfixError the server raised."""

    client: Any  # hotfix.adapters.remote.client.ServerClient
    base: str

    def get(self, tail: str) -> Any:
        return self.client.get(f"{self.base}{tail}")

    def post(self, tail: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"{self.base}{tail}", body or {})


def project_api(ctx: Context) -> ProjectApi | None:
    """The team server's API for ``ctx``'s project when ``ctx`` acts through one, else None
    (the record is the repository's own)."""
    return remote_api(ctx.records)


def remote_api(records: Records) -> ProjectApi | None:
    from hotfix.adapters.remote.records import RemoteRecords

    if not isinstance(records, RemoteRecords):
        return None
    return ProjectApi(records.client, records.base)


def publish_to_server(ctx: Context, what: str, body: dict[str, Any]) -> dict[str, Any]:
    """``hotfix audit|metrics --publish``: ``what`` computed here (it needs the repository),
    kept by the team server for its dashboard and API."""
    api = project_api(ctx)
    if api is None:
        raise UsageError(f"--publish sends the {what} to the team server, but this "
                         "repository keeps its record locally",
                         hint="sign in first: hotfix login URL (or HOTFIX_SERVER and "
                              "HOTFIX_TOKEN in CI)")
    done: dict[str, Any] = api.post(f"/{what}", body)
    return done


def new_signing_key(path: Path) -> Signer:
    """``hotfix server keygen``: a new key in ``path``, never over an existing file."""
    from hotfix.adapters.signing import create_key

    return create_key(path)


def signing_key(start: Path, cfg: Config) -> Signer:
    """The server's signing key: ``server.signing_key``, else ``.hotfix/server-signing.key``
    in the server's directory, created on first start."""
    from hotfix.adapters.signing import create_key, load_key

    given = cfg.str("server.signing_key")
    if given:
        return load_key(Path(given).expanduser())
    default = start / ".hotfix" / "server-signing.key"
    return load_key(default) if default.exists() else create_key(default)


def project_dirs(start: Path, default: str) -> list[tuple[str, Path]]:
    """The further projects a server directory holds: ``projects/NAME/hotfix.toml``."""
    from hotfix.services.identity.users import checked_project

    found = []
    for toml in sorted((start / "projects").glob("*/hotfix.toml")):
        name = checked_project(toml.parent.name)
        if name in (default, "*") or name != toml.parent.name:
            raise ConfigError(f"{toml.parent} cannot be a project: its name must be lower-case "
                              f"and differ from server.project ({default})",
                              hint="rename the folder, e.g. projects/shop")
        found.append((name, toml.parent))
    return found


def _project_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """A project's settings come from its own file: the server's database and project
    variables are the first project's only."""
    return {k: v for k, v in environ.items()
            if k not in ("HOTFIX_DATABASE_URL", "HOTFIX_PROJECT")}


def backup_database(start: Path, environ: Mapping[str, str], dest: Path | None) -> Copy:
    """``hotfix db backup``: a consistent copy of the repository's database."""
    from hotfix.adapters.store.backup import backup

    git, cfg = find_settings(start, environ)
    return backup(database_url(git.root, cfg), git.root, dest)


def restore_database(start: Path, environ: Mapping[str, str], source: Path) -> Copy:
    """``hotfix db restore``: the repository's database replaced by a verified backup."""
    from hotfix.adapters.store.backup import restore

    git, cfg = find_settings(start, environ)
    return restore(database_url(git.root, cfg), source)


# ── rollout: deploy targets, routers, metrics sources, the judge (docs/rollout.md) ──────


def _rollout_dir(root: Path) -> Path:
    return root / ".hotfix" / "rollout"


def _local_target(cfg: Config, root: Path) -> DeployTarget:
    from hotfix.adapters.deploy.local import LocalTarget

    command = [str(a) for a in cfg.list("rollout.local.command")]
    return LocalTarget(root, _rollout_dir(root), command, cfg.str("rollout.local.health_path"),
                       cfg.float("rollout.local.health_timeout"),
                       cfg.float("rollout.local.stop_timeout"),
                       host=cfg.str("rollout.listen").rpartition(":")[0] or "127.0.0.1")


def _deploy_command(cfg: Config, root: Path) -> DeployCommand:
    from hotfix.adapters.deploy.command import DeployCommand

    return DeployCommand([str(a) for a in cfg.list("rollout.deploy_command")], root)


def _command_target(cfg: Config, root: Path) -> DeployTarget:
    from hotfix.adapters.deploy.command import CommandTarget

    return CommandTarget(_deploy_command(cfg, root))


def _builtin_router(cfg: Config, root: Path) -> Router:
    from hotfix.adapters.routers.builtin import BuiltinRouter

    return BuiltinRouter(_rollout_dir(root) / "builtin", cfg.str("rollout.listen"),
                         cfg.str("rollout.admin"), cfg.str("rollout.sticky_header"),
                         cfg.str("rollout.sticky_cookie"),
                         cfg.float("rollout.upstream_timeout"))


def _nginx_router(cfg: Config, root: Path) -> Router:
    from hotfix.adapters.routers.nginx import NginxRouter

    return NginxRouter(_rollout_dir(root), cfg.str("rollout.listen"),
                       cfg.str("rollout.nginx.binary"), cfg.str("rollout.sticky_header"),
                       cfg.str("rollout.sticky_cookie"), cfg.int("rollout.nginx.client_keepalive"))


def _command_router(cfg: Config, root: Path) -> Router:
    from hotfix.adapters.deploy.command import CommandRouter

    return CommandRouter(_deploy_command(cfg, root), _rollout_dir(root) / "command-split.json",
                         cfg.str("verify.base_url"))


@dataclass(frozen=True)
class Watch:
    """What a metrics source observes: one rollout's versions, from a cursor (or from now)."""

    canary: str
    baseline: str
    instances: Addresses
    cursor: Mapping[str, Any] | None


def _router_metrics(cfg: Config, router: Router, watch: Watch) -> MetricsSource:
    from hotfix.adapters.metrics.router_log import from_log

    log = router.request_log()
    if log is None:
        raise ConfigError(f"the {router.name} router observes no requests",
                          hint='set rollout.metrics = "prometheus"')
    offset = int(watch.cursor["offset"]) if watch.cursor else None
    return from_log(log, watch.canary, watch.baseline, offset)


def _prometheus_metrics(cfg: Config, router: Router, watch: Watch) -> MetricsSource:
    from hotfix.adapters.metrics.prometheus import PrometheusMetrics, PromNames

    names = PromNames(cfg.str("rollout.prometheus.requests"),
                      cfg.str("rollout.prometheus.latency"),
                      cfg.str("rollout.prometheus.status_label"))
    snapshot = watch.cursor.get("snapshot") if watch.cursor else None
    since = watch.cursor.get("t") if watch.cursor else None
    return PrometheusMetrics(watch.instances, watch.canary, watch.baseline, names,
                             cfg.str("rollout.prometheus.path"), snapshot,
                             None if since is None else float(since))


def _monitoring_api(system: str, url: str, headers: Mapping[str, str], token_env: str) -> Api:
    from hotfix.adapters.ci.http import Api
    from hotfix.errors import MetricsQueryError

    return Api(system, url, headers, token_env, error=MetricsQueryError,
               settings=f"rollout.{system.lower().replace(' ', '')}.*",
               token_use="query its metrics (docs/integrations.md)")


def _monitor_secret(environ: Mapping[str, str], variable: str, system: str) -> str:
    value = environ.get(variable, "").strip()
    if not value:
        raise ConfigError(f"rollout.metrics = {system!r} needs ${variable}, which is not set",
                          hint=f"export {variable}=… (docs/integrations.md says where to get it)")
    return value


def _windows(cfg: Config, watch: Watch, read: Callable[[float, float], Interval], api: Api
             ) -> MetricsSource:
    from hotfix.adapters.metrics.window import Windows

    return Windows(read, step=cfg.float("rollout.monitor.step_seconds"),
                   lag=cfg.float("rollout.monitor.lag_seconds"), cursor=watch.cursor,
                   close=api.close)


def _prometheus_api_metrics(cfg: Config, environ: Mapping[str, str], watch: Watch
                            ) -> MetricsSource:
    from hotfix.adapters.metrics.prometheus_api import PrometheusQuery, PromQueryNames

    token_env = cfg.str("rollout.prometheus.token_env")
    token = environ.get(token_env, "").strip() if token_env else ""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    api = _monitoring_api("Prometheus", cfg.str("rollout.prometheus.url"), headers,
                          token_env)
    names = PromQueryNames(cfg.str("rollout.prometheus.requests"),
                           cfg.str("rollout.prometheus.latency"),
                           cfg.str("rollout.prometheus.status_label"),
                           cfg.str("rollout.prometheus.version_label"),
                           cfg.str("rollout.prometheus.selector"))
    return _windows(cfg, watch, PrometheusQuery(api, watch.canary, watch.baseline, names), api)


def _datadog_metrics(cfg: Config, environ: Mapping[str, str], watch: Watch) -> MetricsSource:
    from hotfix.adapters.metrics.datadog import DatadogNames, DatadogQuery

    api_env = cfg.str("rollout.datadog.api_key_env")
    app_env = cfg.str("rollout.datadog.app_key_env")
    headers = {"DD-API-KEY": _monitor_secret(environ, api_env, "datadog"),
               "DD-APPLICATION-KEY": _monitor_secret(environ, app_env, "datadog")}
    api = _monitoring_api("Datadog", cfg.str("rollout.datadog.url"), headers,
                          f"{api_env} / ${app_env}")
    names = DatadogNames(cfg.str("rollout.datadog.requests"), cfg.str("rollout.datadog.errors"),
                         cfg.str("rollout.datadog.version_tag"), cfg.str("rollout.datadog.scope"))
    read = DatadogQuery(api, watch.canary, watch.baseline,
                        cfg.float("rollout.monitor.step_seconds"), names)
    return _windows(cfg, watch, read, api)


def _newrelic_metrics(cfg: Config, environ: Mapping[str, str], watch: Watch) -> MetricsSource:
    from hotfix.adapters.metrics.newrelic import NewRelicQuery, NrqlNames

    token_env = cfg.str("rollout.newrelic.token_env")
    account = cfg.int("rollout.newrelic.account")
    if account <= 0:
        raise ConfigError("rollout.metrics = 'newrelic' needs rollout.newrelic.account",
                          hint="set rollout.newrelic.account = 1234567 (your account id)")
    api = _monitoring_api("New Relic", cfg.str("rollout.newrelic.url"),
                          {"API-Key": _monitor_secret(environ, token_env, "newrelic")}, token_env)
    names = NrqlNames(account, cfg.str("rollout.newrelic.event"),
                      cfg.str("rollout.newrelic.facet"), cfg.str("rollout.newrelic.where"),
                      cfg.float("rollout.newrelic.ceiling_seconds"),
                      cfg.int("rollout.newrelic.buckets"))
    return _windows(cfg, watch, NewRelicQuery(api, watch.canary, watch.baseline, names),
                    api)


TARGETS: dict[str, Callable[[Config, Path], DeployTarget]] = {
    "local": _local_target,
    "command": _command_target,
}
ROUTERS: dict[str, Callable[[Config, Path], Router]] = {
    "builtin": _builtin_router,
    "nginx": _nginx_router,
    "command": _command_router,
}
METRICS: dict[str, Callable[[Config, Router, Watch], MetricsSource]] = {
    "router": _router_metrics,
    "prometheus": _prometheus_metrics,
}
MONITORING: dict[str, Callable[[Config, Mapping[str, str], Watch], MetricsSource]] = {
    "prometheus-api": _prometheus_api_metrics,
    "datadog": _datadog_metrics,
    "newrelic": _newrelic_metrics,
}
"""Metrics sources in the team's monitoring (they need the environment for tokens)."""


def _pick(registry: Mapping[str, T], key: str, cfg: Config, hint: str | None = None) -> T:
    name = cfg.str(key)
    if name not in registry:
        raise ConfigError(f"{key} = {name!r} is not one of: {', '.join(registry)}",
                          hint=hint or f"set {key} in hotfix.toml to one of them")
    return registry[name]


def judge_settings(cfg: Config) -> JudgeSettings:
    """The ``judge.*`` settings, validated (ConfigError naming the bad one): the one builder
    for ``hotfix deploy`` and ``hotfix judge``."""
    from hotfix.domain.judge.settings import JudgeSettings

    weights = cfg.table("judge.weights")
    unknown = set(weights) - {"errors", "latency", "tail"}
    if unknown:
        raise ConfigError(
            f"judge.weights has unknown metrics {sorted(unknown)}",
            hint="judge.weights = { errors = 0.7, latency = 0.25, tail = 0.05 }",
        )
    try:
        return JudgeSettings(
            alpha=cfg.float("judge.alpha"),
            error_margin=cfg.float("judge.error_margin"),
            error_floor=cfg.float("judge.error_floor"),
            user_floor=cfg.float("judge.user_floor"),
            latency_tolerance=cfg.float("judge.latency_tolerance"),
            weight_errors=float(weights.get("errors", 0.0)),
            weight_latency=float(weights.get("latency", 0.0)),
            weight_tail=float(weights.get("tail", 0.0)),
            burn_in=cfg.int("judge.burn_in"),
            winsor_quantile=cfg.float("judge.winsor_quantile"),
            tail_quantile=cfg.float("judge.tail_quantile"),
            tail_burn_in=cfg.int("judge.tail_burn_in"),
            block=cfg.int("judge.block"),
            srm_alpha=cfg.float("judge.srm_alpha"),
        )
    except ValueError as exc:
        hint = "fix the judge.* settings in hotfix.toml; `hotfix config` shows them"
        raise ConfigError(str(exc), hint=hint) from None


@dataclass(frozen=True)
class RolloutParts:
    """Adapters to use instead of the configured ones: tests pass fakes here."""

    target: DeployTarget | None = None
    router: Router | None = None
    metrics: MetricsFactory | None = None
    states: RolloutStates | None = None
    controllers: Controllers | None = None
    judge: Callable[[], JudgeLike] | None = None


class WiredRollout:
    """The rollout's adapters (``ports.RolloutAdapters``), each built on first use."""

    def __init__(self, cfg: Config, root: Path, given: RolloutParts,
                 environ: Mapping[str, str] | None = None, *,
                 server: ProjectApi | None = None) -> None:
        self.cfg, self.root, self.given = cfg, root, given
        self.environ = environ or {}
        self.server = server  # signed in: the record of deployments is the server's

    @cached_property
    def target(self) -> DeployTarget:
        return self.given.target or _pick(TARGETS, "rollout.target", self.cfg)(self.cfg, self.root)

    @cached_property
    def router(self) -> Router:
        return self.given.router or _pick(ROUTERS, "rollout.router", self.cfg)(self.cfg, self.root)

    @cached_property
    def states(self) -> RolloutStates:
        from hotfix.adapters.rollout.state_files import StateFiles

        local = self.given.states or StateFiles(_rollout_dir(self.root))
        if self.server is None:
            return local
        from hotfix.adapters.remote.deployments import ServerDeployments

        return ServerDeployments(local, self.server.client, self.server.base)

    @cached_property
    def controllers(self) -> Controllers:
        from hotfix.adapters.deploy.procs import ProcessControllers

        return self.given.controllers or ProcessControllers()

    def metrics(self, *, canary: str, baseline: str, instances: Addresses,
                cursor: Mapping[str, Any] | None) -> MetricsSource:
        if self.given.metrics is not None:
            return self.given.metrics(canary=canary, baseline=baseline, instances=instances,
                                      cursor=cursor)
        watch = Watch(canary, baseline, instances, cursor)
        name = self.cfg.str("rollout.metrics")
        if name in MONITORING:
            return MONITORING[name](self.cfg, self.environ, watch)
        if name not in METRICS:
            known = ", ".join([*METRICS, *MONITORING])
            raise ConfigError(f"rollout.metrics = {name!r} is not one of: {known}",
                              hint="set rollout.metrics to one of them (docs/rollout.md)")
        return METRICS[name](self.cfg, self.router, watch)

    def flag_metrics(self, *, flag: str, canary: str, baseline: str,
                     clock: Callable[[], float], cursor: Mapping[str, Any] | None,
                     split_only: bool = False) -> MetricsSource:
        """A flag rollout's source: the app's counters by variant (rollout.flag.*)."""
        from hotfix.adapters.metrics.variants import VariantMetrics, VariantNames

        cfg = self.cfg
        names = VariantNames(cfg.str("rollout.prometheus.requests"),
                             cfg.str("rollout.prometheus.status_label"),
                             cfg.str("rollout.flag.users"), cfg.str("rollout.flag.failed_users"),
                             cfg.str("rollout.flag.variant_label"),
                             slow_users=cfg.str("rollout.flag.slow_users"))
        targets = [str(t) for t in cfg.list("rollout.flag.targets")]

        def addresses() -> list[str]:
            live = None if targets else self.states.load_env()
            return targets or (list(live.addresses) if live else [])

        snapshot = cursor.get("snapshot") if cursor else None
        return VariantMetrics(addresses, flag, canary, baseline, clock, names,
                              cfg.str("rollout.prometheus.path"), snapshot, split_only)

    def judge(self) -> JudgeLike:
        if self.given.judge is not None:
            return self.given.judge()
        from hotfix.domain.judge.engine import Judge

        return Judge(judge_settings(self.cfg))

    def user_judge(self) -> UserJudgeLike:
        from hotfix.domain.judge.users import UserJudge

        return UserJudge(judge_settings(self.cfg),
                         self.cfg.str("rollout.flag.slow_users") or None)


@dataclass(frozen=True)
class Judging:
    """What ``hotfix judge`` needs: the settings, and the reader of recorded request logs."""

    settings: JudgeSettings
    read: ReadRequests


def open_judging(start: Path, environ: Mapping[str, str],
                 overrides: Mapping[str, Any] | None = None) -> Judging:
    """The ``judge.*`` settings of the repository around ``start`` (defaults outside one)."""
    from hotfix.adapters.rollout.judge_csv import read_stream

    try:
        root = repo_root(start)
    except NotFound:
        root = start
    return Judging(judge_settings(load_config(root, environ, overrides)), read_stream)


# ── notify: channels and the outbox (docs/notifications.md) ─────────────────────────────


class LazyNoticeWriter:
    """``services.notify.notices.NoticeWriter``, imported on the first event written, so a
    command that only reads never loads it."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.writer: NoticeWriter | None = None

    def __call__(self, record: Hotfix, new: Sequence[Event]) -> list[Outgoing]:
        if self.writer is None:
            from hotfix.services.notify.notices import NoticeWriter

            self.writer = NoticeWriter(self.cfg)
        return self.writer(record, new)


def _secret(environ: Mapping[str, str], spec: Mapping[str, Any], key: str, where: str) -> str:
    """The value of the environment variable ``spec[key]`` names; ``ConfigError`` saying
    which is missing."""
    name = spec.get(key)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}.{key} must name an environment variable",
                          hint=f'[{where}] {key} = "HOTFIX_…"')
    value = environ.get(name, "")
    if not value:
        raise ConfigError(f"{where}: the environment variable {name} is not set",
                          hint=f"export {name}=… where hotfix runs (it holds the secret)")
    return value


def _webhook_notifier(name: str, spec: Mapping[str, Any], cfg: Config,
                      environ: Mapping[str, str]) -> Notifier:
    from hotfix.adapters.notify.webhook import WebhookNotifier

    where = f"notify.channels.{name}"
    secret = _secret(environ, spec, "secret_env", where)
    return WebhookNotifier(name, str(spec.get("url", "")), secret,
                           timeout=cfg.float("notify.timeout"),
                           secret_source=f"{where}: ${spec['secret_env']}")


def _slack_notifier(name: str, spec: Mapping[str, Any], cfg: Config,
                    environ: Mapping[str, str]) -> Notifier:
    from hotfix.adapters.notify.slack import SlackNotifier

    where = f"notify.channels.{name}"
    url = _secret(environ, spec, "url_env", where) if "url_env" in spec else spec.get("url")
    return SlackNotifier(name, str(url or ""), timeout=cfg.float("notify.timeout"))


def _email_notifier(name: str, spec: Mapping[str, Any], cfg: Config,
                    environ: Mapping[str, str]) -> Notifier:
    from hotfix.adapters.notify.mail import EmailNotifier, Smtp

    where = f"notify.channels.{name}"
    to = spec.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(a, str) and "@" in a
                                                    for a in to):
        raise ConfigError(f"{where}.to must list email addresses",
                          hint=f'[{where}] type = "email" to = ["lead@example.com"]')
    for key in ("notify.smtp.host", "notify.smtp.sender"):
        if not cfg.str(key):
            raise ConfigError(f"{where} sends email, but {key} is empty",
                              hint=f"set {key} in hotfix.toml")
    username = cfg.str("notify.smtp.username")
    password = (_secret(environ, {"password_env": cfg.str("notify.smtp.password_env")},
                        "password_env", "notify.smtp") if username else "")
    smtp = Smtp(cfg.str("notify.smtp.host"), cfg.int("notify.smtp.port"),
                cfg.bool("notify.smtp.starttls"), cfg.str("notify.smtp.sender"), username,
                password, cfg.float("notify.timeout"))
    return EmailNotifier(name, smtp, [str(a) for a in to])


def _purge_notifier(name: str, spec: Mapping[str, Any], cfg: Config,
                    environ: Mapping[str, str]) -> Notifier:
    from hotfix.adapters.notify.purge import PurgeNotifier

    where = f"notify.channels.{name}"
    header = spec.get("header", "Authorization")
    headers = {}
    if "token_env" in spec:
        token = _secret(environ, spec, "token_env", where)
        headers[str(header)] = str(spec.get("prefix", "")) + token
    return PurgeNotifier(name, str(spec.get("url", "")), str(spec.get("method", "POST")),
                         headers, timeout=cfg.float("notify.timeout"))


NOTIFIERS: dict[str, Callable[[str, Mapping[str, Any], Config, Mapping[str, str]], Notifier]] = {
    "webhook": _webhook_notifier,
    "purge": _purge_notifier,
    "slack": _slack_notifier,
    "email": _email_notifier,
}


class WiredNotify:
    """``ports.NotifyAdapters``: the store's outbox, and the channels built on first use."""

    def __init__(self, cfg: Config, environ: Mapping[str, str], outbox: Outbox,
                 given: Mapping[str, Notifier] | None) -> None:
        self.cfg, self.environ, self.outbox, self.given = cfg, dict(environ), outbox, given
        self._built: dict[str, Notifier] | None = None

    def channels(self) -> Mapping[str, Notifier]:
        if self.given is not None:
            return self.given
        if self._built is None:
            from hotfix.services.notify.routes import channel_specs

            specs = channel_specs(self.cfg.table("notify.channels"))
            self._built = {name: NOTIFIERS[str(spec["type"])](name, spec, self.cfg,
                                                             self.environ)
                           for name, spec in specs.items()}
        return self._built
