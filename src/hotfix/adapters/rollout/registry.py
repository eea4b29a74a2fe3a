"""Typed registries of rollout backends: the settings name one, these build it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hotfix.adapters.deploy.command import CommandRouter, CommandTarget, DeployCommand
from hotfix.adapters.deploy.local import LocalTarget
from hotfix.adapters.metrics.prometheus import PrometheusMetrics, PromNames
from hotfix.adapters.metrics.router_log import NginxParser, RouterLogMetrics, parse_builtin
from hotfix.adapters.routers.builtin import BuiltinRouter
from hotfix.adapters.routers.nginx import NginxRouter
from hotfix.config import Config
from hotfix.errors import ConfigError
from hotfix.ports import DeployTarget, MetricsSource, Router


def _state(root: Path) -> Path:
    return root / ".hotfix" / "rollout"


def _local(cfg: Config, root: Path) -> DeployTarget:
    return LocalTarget(root, _state(root), [str(a) for a in cfg.list("rollout.local.command")],
                       cfg.str("rollout.local.health_path"),
                       cfg.float("rollout.local.health_timeout"),
                       cfg.float("rollout.local.stop_timeout"),
                       host=cfg.str("rollout.listen").rpartition(":")[0] or "127.0.0.1")


def _command(cfg: Config, root: Path) -> DeployCommand:
    return DeployCommand([str(a) for a in cfg.list("rollout.deploy_command")], root)


TARGETS: dict[str, Callable[[Config, Path], DeployTarget]] = {
    "local": _local,
    "command": lambda cfg, root: CommandTarget(_command(cfg, root)),
}

ROUTERS: dict[str, Callable[[Config, Path], Router]] = {
    "builtin": lambda cfg, root: BuiltinRouter(
        _state(root) / "builtin", cfg.str("rollout.listen"), cfg.str("rollout.admin"),
        cfg.str("rollout.sticky_header"), cfg.str("rollout.sticky_cookie")),
    "nginx": lambda cfg, root: NginxRouter(
        _state(root), cfg.str("rollout.listen"), cfg.str("rollout.nginx.binary"),
        cfg.str("rollout.sticky_header"), cfg.str("rollout.sticky_cookie"),
        cfg.int("rollout.nginx.client_keepalive")),
    "command": lambda cfg, root: CommandRouter(
        _command(cfg, root), _state(root) / "command-split.json",
        cfg.str("verify.base_url")),
}


def _pick(registry: Mapping[str, Any], key: str, cfg: Config) -> Any:
    name = cfg.str(key)
    if name not in registry:
        raise ConfigError(f"{key} = {name!r} is not one of: {', '.join(registry)}",
                          hint=f"set {key} in hotfix.toml to one of them")
    return registry[name]


def make_target(cfg: Config, root: Path) -> DeployTarget:
    factory: Callable[[Config, Path], DeployTarget] = _pick(TARGETS, "rollout.target", cfg)
    return factory(cfg, root)


def make_router(cfg: Config, root: Path) -> Router:
    factory: Callable[[Config, Path], Router] = _pick(ROUTERS, "rollout.router", cfg)
    return factory(cfg, root)


def make_metrics(cfg: Config, router: Router, canary: str, baseline: str,
                 instances: Callable[[], Mapping[str, Sequence[str]]],
                 cursor: Mapping[str, Any] | None) -> MetricsSource:
    """The configured source; ``cursor`` (saved when the rollout began) replays since then."""
    kind = cfg.str("rollout.metrics")
    if kind == "prometheus":
        names = PromNames(cfg.str("rollout.prometheus.requests"),
                          cfg.str("rollout.prometheus.latency"),
                          cfg.str("rollout.prometheus.status_label"))
        snap = cursor.get("snapshot") if cursor else None
        return PrometheusMetrics(instances, canary, baseline, names,
                                 cfg.str("rollout.prometheus.path"), snap)
    if kind != "router":
        raise ConfigError(f"rollout.metrics = {kind!r} is not one of: router, prometheus",
                          hint="set rollout.metrics to router or prometheus")
    offset = int(cursor["offset"]) if cursor else None
    if isinstance(router, BuiltinRouter):
        return RouterLogMetrics(router.log_path, canary, baseline, parse_builtin, offset)
    if isinstance(router, NginxRouter):
        return RouterLogMetrics(router.log_path, canary, baseline,
                                NginxParser(router.addresses_path), offset)
    raise ConfigError(f"the {router.name} router observes no requests",
                      hint="set rollout.metrics = \"prometheus\"")
