"""The router contract: the builtin router, nginx (when installed) and the fake pass it.

What each real router does with real requests (weights, sticky keys, reloads, its log) is
tested beside it, in test_builtin_router.py and test_nginx_router.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfix.adapters.deploy.local import free_port
from hotfix.adapters.metrics.router_log import PARSERS, from_log
from hotfix.adapters.routers import RouterError
from hotfix.adapters.routers.fake import FakeRouter
from hotfix.adapters.routers.nginx import NginxRouter
from hotfix.ports import Router, Split
from tests.rollout_app.support import Started

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SPLIT = Split({"v1": ("127.0.0.1:1", "127.0.0.1:2"), "v2": ("127.0.0.1:3",)},
              {"v1": 75.0, "v2": 25.0})
ALL_OLD = Split({"v1": ("127.0.0.1:1", "127.0.0.1:2")}, {"v1": 100.0})


@pytest.fixture(params=["builtin", "nginx", "fake"])
def router(request: pytest.FixtureRequest, tmp_path: Path, started: Started) -> Iterator[Router]:
    if request.param == "builtin":
        yield started.builtin(tmp_path / "router")
    elif request.param == "nginx":
        if NGINX is None:
            pytest.skip("nginx is not installed (apt-get install nginx-light); CI installs it")
        nginx = NginxRouter(tmp_path / "router", f"127.0.0.1:{free_port()}", NGINX)
        yield nginx
        nginx.stop()
    else:
        yield FakeRouter()


def test_nothing_is_live_before_it_runs(router: Router) -> None:
    assert router.current() is None
    router.stop()  # not running: nothing to stop
    assert router.current() is None


def test_a_running_router_starts_with_no_split(router: Router) -> None:
    router.ensure()
    live = router.current()
    assert live is not None
    assert dict(live.weights) == {}


def test_a_split_is_live_once_applied(router: Router) -> None:
    router.ensure()
    router.apply(SPLIT)
    assert router.current() == SPLIT
    router.apply(ALL_OLD)
    assert router.current() == ALL_OLD


def test_a_router_that_is_not_running_refuses_a_split(router: Router) -> None:
    with pytest.raises(RouterError):
        router.apply(SPLIT)
    assert router.current() is None


def test_ensure_keeps_a_running_router_as_it_is(router: Router) -> None:
    router.ensure()
    router.apply(SPLIT)
    router.ensure()
    assert router.current() == SPLIT


def test_a_router_started_again_comes_back_with_its_last_split(router: Router) -> None:
    router.ensure()
    router.apply(SPLIT)
    router.stop()
    assert router.current() is None
    router.ensure()
    assert router.current() == SPLIT


def test_draining_a_version_without_requests_in_flight_succeeds(router: Router) -> None:
    router.ensure()
    router.apply(SPLIT)
    router.apply(ALL_OLD)
    assert router.drain("v2", 5.0)


def test_a_request_log_it_describes_can_be_read_by_the_metrics(router: Router) -> None:
    router.ensure()
    log = router.request_log()
    if log is None:  # it observes no requests: rollout.metrics must be "prometheus"
        return
    assert log.format in PARSERS
    assert len(from_log(log, "v2", "v1").poll()) == 0
