"""The composition root: the one place that turns settings into adapters.

Every service receives what it uses on its ``Context``; nothing outside this module (and
tests, which pass fakes in) constructs an adapter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.exclude import ensure_state_dir
from hotfix.adapters.git.repo import Git
from hotfix.adapters.git.repository import repo_root
from hotfix.config import Config, load_config
from hotfix.errors import ConfigError, NotFound
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
)
from hotfix.services.context import Context
from hotfix.services.record.records import LocalRecords, RecordSettings

if TYPE_CHECKING:
    from hotfix.domain.record.events import Event
    from hotfix.domain.record.lifecycle import Hotfix
    from hotfix.ports import Store
    from hotfix.services.notify.notices import NoticeWriter

if TYPE_CHECKING:
    from hotfix.adapters.deploy.command import DeployCommand
    from hotfix.adapters.store.backup import Copy
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
    store = store or open_store(root, cfg)
    records = LocalRecords(store, RecordSettings.from_config(cfg), clock,
                           notices=LazyNoticeWriter(cfg) if cfg.list("notify.routes") else None)
    return Context(root=root, cfg=cfg, records=records,
                   cache=store.cache, waivers=store.waivers, clock=clock, git=git,
                   rollout=WiredRollout(cfg, root, rollout or RolloutParts()),
                   notify=WiredNotify(cfg, environ, store.outbox, notifiers),
                   closers=(store.close,))


def find_settings(
    start: Path, environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
) -> tuple[GitRepo, Config]:
    """The repository above ``start`` and its resolved settings (no store opened)."""
    git = open_git(start)
    return git, load_config(git.root, environ, overrides)


def open_clock() -> Clock:
    """The real clock, for commands that run a service without a context."""
    return SystemClock()


def open_git(start: Path) -> GitRepo:
    """The repository around ``start``, bound to the top of its work tree."""
    return Git(repo_root(start))


def open_store(root: Path, cfg: Config) -> Store:
    """SQLite in ``.hotfix/`` when ``database.url`` is empty, else the database it names."""
    from hotfix.adapters.store.sql import SqlStore

    return SqlStore(database_url(root, cfg))


def database_url(root: Path, cfg: Config) -> str:
    """``database.url``, or SQLite in ``.hotfix/`` when it is empty."""
    from hotfix.adapters.store.database import sqlite_url

    url = cfg.str("database.url")
    if not url:
        ensure_state_dir(root)
        url = sqlite_url(root)
    return url


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
                         cfg.str("rollout.sticky_cookie"))


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
    return PrometheusMetrics(watch.instances, watch.canary, watch.baseline, names,
                             cfg.str("rollout.prometheus.path"), snapshot)


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
            latency_tolerance=cfg.float("judge.latency_tolerance"),
            tail_margin=cfg.float("judge.tail_margin"),
            weight_errors=float(weights.get("errors", 0.0)),
            weight_latency=float(weights.get("latency", 0.0)),
            weight_tail=float(weights.get("tail", 0.0)),
            burn_in=cfg.int("judge.burn_in"),
            winsor_quantile=cfg.float("judge.winsor_quantile"),
            tail_quantile=cfg.float("judge.tail_quantile"),
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

    def __init__(self, cfg: Config, root: Path, given: RolloutParts) -> None:
        self.cfg, self.root, self.given = cfg, root, given

    @cached_property
    def target(self) -> DeployTarget:
        return self.given.target or _pick(TARGETS, "rollout.target", self.cfg)(self.cfg, self.root)

    @cached_property
    def router(self) -> Router:
        return self.given.router or _pick(ROUTERS, "rollout.router", self.cfg)(self.cfg, self.root)

    @cached_property
    def states(self) -> RolloutStates:
        from hotfix.adapters.rollout.state_files import StateFiles

        return self.given.states or StateFiles(_rollout_dir(self.root))

    @cached_property
    def controllers(self) -> Controllers:
        from hotfix.adapters.deploy.procs import ProcessControllers

        return self.given.controllers or ProcessControllers()

    def metrics(self, *, canary: str, baseline: str, instances: Addresses,
                cursor: Mapping[str, Any] | None) -> MetricsSource:
        if self.given.metrics is not None:
            return self.given.metrics(canary=canary, baseline=baseline, instances=instances,
                                      cursor=cursor)
        build = _pick(METRICS, "rollout.metrics", self.cfg,
                      hint="set rollout.metrics to router or prometheus")
        return build(self.cfg, self.router, Watch(canary, baseline, instances, cursor))

    def judge(self) -> JudgeLike:
        if self.given.judge is not None:
            return self.given.judge()
        from hotfix.domain.judge.engine import Judge

        return Judge(judge_settings(self.cfg))


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


NOTIFIERS: dict[str, Callable[[str, Mapping[str, Any], Config, Mapping[str, str]], Notifier]] = {
    "webhook": _webhook_notifier,
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
