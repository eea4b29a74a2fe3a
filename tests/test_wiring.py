"""The composition root's rollout part: settings name the backends, tests pass fakes in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hotfix.adapters.deploy.fake import FakeTarget
from hotfix.adapters.metrics.router_log import RouterLogMetrics
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.errors import ConfigError
from hotfix.services.context import Context
from hotfix.wiring import (
    METRICS,
    MONITORING,
    ROUTERS,
    TARGETS,
    RolloutParts,
    open_context,
    open_judging,
)
from tests.contexts import kept


def context(repo: Path, parts: RolloutParts | None = None, **settings: Any) -> Context:
    return kept(open_context(repo, {}, settings, rollout=parts))


def test_deploy_and_judge_build_the_same_judge_settings(repo: Path) -> None:
    (repo / "hotfix.toml").write_text("[judge]\nalpha = 0.01\nblock = 50\n"
                                      "weights = { errors = 1.0 }\n")
    for_deploy = context(repo).rollout.judge().settings  # type: ignore[attr-defined]
    for_judge = open_judging(repo, {}).settings
    assert for_deploy == for_judge
    assert (for_judge.alpha, for_judge.block) == (0.01, 50)
    assert (for_judge.weight_errors, for_judge.weight_latency, for_judge.weight_tail) == (1, 0, 0)


@pytest.mark.parametrize(("toml", "message"), [
    ("alpha = 2.0", "invalid judge settings: alpha must be between 0 and 1"),
    ("weights = { errors = 1.0, speed = 1.0 }", "judge.weights has unknown metrics ['speed']"),
])
def test_an_invalid_judge_setting_is_refused_alike_by_deploy_and_judge(
        repo: Path, toml: str, message: str) -> None:
    (repo / "hotfix.toml").write_text(f"[judge]\n{toml}\n")
    with pytest.raises(ConfigError) as by_deploy:
        context(repo).rollout.judge()
    with pytest.raises(ConfigError) as by_judge:
        open_judging(repo, {})
    assert by_deploy.value.message == by_judge.value.message == message
    assert by_deploy.value.hint == by_judge.value.hint


@pytest.mark.parametrize(("key", "registry"), [("rollout.target", TARGETS),
                                               ("rollout.router", ROUTERS)])
def test_a_fake_is_never_selectable_from_the_settings(repo: Path, key: str,
                                                      registry: dict[str, Any]) -> None:
    assert "fake" not in registry
    ctx = context(repo, **{key: "fake"})
    with pytest.raises(ConfigError, match=rf"{key} = 'fake' is not one of: "
                                          rf"{', '.join(registry)}"):
        getattr(ctx.rollout, key.removeprefix("rollout."))


def test_an_unknown_metrics_source_is_named(repo: Path) -> None:
    assert list(METRICS) == ["router", "prometheus"]
    assert list(MONITORING) == ["prometheus-api", "datadog", "newrelic"]
    ctx = context(repo, **{"rollout.metrics": "statsd"})
    with pytest.raises(ConfigError, match=r"rollout\.metrics = 'statsd' is not one of: router, "
                                          r"prometheus, prometheus-api, datadog, newrelic"
                       ) as caught:
        ctx.rollout.metrics(canary="v2", baseline="v1", instances=dict, cursor=None)
    assert caught.value.hint == "set rollout.metrics to one of them (docs/rollout.md)"


def test_adapters_given_to_wiring_replace_the_configured_ones(repo: Path) -> None:
    target, router = FakeTarget(), FakeRouter()
    ctx = context(repo, RolloutParts(target=target, router=router))
    assert ctx.rollout.target is target
    assert ctx.rollout.router is router
    assert ctx.rollout.router is ctx.rollout.router  # built once per context


def test_router_metrics_read_the_log_the_router_describes(repo: Path) -> None:
    ctx = context(repo)  # the builtin router, not started: only described
    source = ctx.rollout.metrics(canary="v2", baseline="v1", instances=dict, cursor=None)
    log = ctx.rollout.router.request_log()
    assert log is not None
    assert isinstance(source, RouterLogMetrics)
    assert source.path == log.path


def test_router_metrics_need_a_router_that_observes_requests(repo: Path) -> None:
    ctx = context(repo, RolloutParts(router=FakeRouter()))
    with pytest.raises(ConfigError, match="the fake router observes no requests") as caught:
        ctx.rollout.metrics(canary="v2", baseline="v1", instances=dict, cursor={"offset": 0})
    assert caught.value.hint == 'set rollout.metrics = "prometheus"'


def test_the_record_is_opened_by_its_first_use_and_only_then(repo: Path) -> None:
    """A command that never reads the record (``hotfix lines``) opens no database; the first
    read or write opens it, migrated, and every part of the store is that one database."""
    db = repo / ".hotfix" / "hotfix.db"
    ctx = open_context(repo, {})
    ctx.close()
    assert not db.exists()
    ctx = context(repo)
    assert not db.exists()
    key = ctx.records.open("Checkout is down", "dana@example.com").key
    assert db.is_file()
    ctx.cache.put("bench", {"k": "v"})
    assert ctx.cache.get("bench", ["k"]) == {"k": "v"}
    assert ctx.waivers.all() == []
    ctx.close()
    again = context(repo)
    assert again.records.get(key).title == "Checkout is down"
    assert again.cache.get("bench", ["k"]) == {"k": "v"}


def test_an_unusable_database_is_refused_at_its_first_use(repo: Path) -> None:
    from hotfix.errors import StoreError

    (repo / ".hotfix").mkdir()
    (repo / ".hotfix" / "hotfix.db").write_bytes(b"not a database at all, " * 40)
    ctx = context(repo)  # nothing read yet: nothing refused
    with pytest.raises(StoreError, match="is not a SQLite database"):
        ctx.records.list()
    assert (repo / ".hotfix" / "hotfix.db").read_bytes().startswith(b"not a database")
