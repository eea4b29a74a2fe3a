"""The nginx router against a real nginx (skipped, saying why, when nginx is missing)."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hotfix.adapters.deploy import procs
from hotfix.adapters.deploy.local import free_port
from hotfix.adapters.metrics.router_log import from_log
from hotfix.adapters.routers import RouterError
from hotfix.adapters.routers.nginx import NginxRouter
from hotfix.ports import Instance, Split
from tests.rollout_app.support import GOOD, Started, get_many, make_app_repo

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx")
                                .exists(), reason="nginx is not installed "
                                "(apt-get install nginx-light); CI installs it")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture
def nginx(tmp_path: Path, started: Started
          ) -> Iterator[tuple[NginxRouter, list[Instance], list[Instance]]]:
    repo = make_app_repo(tmp_path / "repo", {"v1": GOOD, "v2": {"error_rate": 1.0}})
    target = started.local(repo)
    router = NginxRouter(tmp_path / "router", f"127.0.0.1:{free_port()}", NGINX)
    router.ensure()
    yield router, target.start("v1", 2), target.start("v2", 1)
    router.stop()


def split(v1: list[Instance], v2: list[Instance], w2: float) -> Split:
    return Split({"v1": tuple(i.address for i in v1), "v2": tuple(i.address for i in v2)},
                 {"v1": 100 - w2, "v2": w2})


def test_weights_reload_gracefully_and_the_access_log_maps_to_versions(nginx: tuple) -> None:
    router, v1, v2 = nginx
    metrics = from_log(router.request_log(), "v2", "v1")  # the log nginx says it writes
    router.apply(split(v1, v2, 0))
    assert Counter(r.status_code for r in get_many(router.url + "/a", 30)) == {200: 30}
    router.apply(split(v1, v2, 50))
    codes = Counter(r.status_code for r in get_many(router.url + "/a", 200))
    assert codes[200] > 50
    assert codes[500] > 50
    assert router.current() == split(v1, v2, 50)
    time.sleep(0.3)  # nginx flushes its log buffer every 100 ms
    obs = metrics.poll()
    assert len(obs) == 230
    assert obs.canary_count == codes[500]
    assert not obs.ok[obs.canary].any()
    assert obs.ok[~obs.canary].all()
    assert (obs.latency_ms >= 0).all()


def test_a_config_that_fails_nginx_t_leaves_the_old_one_live(nginx: tuple) -> None:
    router, v1, v2 = nginx
    router.apply(split(v1, v2, 0))
    live = (router.home / "upstream.conf").read_text()
    with pytest.raises(RouterError, match=r"invalid port.*the previous configuration stays live"
                       r"|the previous configuration stays live.*invalid port"):
        router.apply(Split({"v1": ("127.0.0.1:99999",)}, {"v1": 100}))
    assert (router.home / "upstream.conf").read_text() == live
    assert router.current() == split(v1, v2, 0)
    assert Counter(r.status_code for r in get_many(router.url + "/a", 20)) == {200: 20}


def test_stop_leaves_no_nginx_process(nginx: tuple) -> None:
    router, _, _ = nginx
    master = int((router.home / "nginx.pid").read_text())
    router.stop()
    assert not procs.alive(master)
    assert procs.group_members(master) == []
    assert router.current() is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(router.url, trust_env=False)


def test_no_client_keepalive_by_default_so_reloads_never_cut_a_request(nginx: tuple) -> None:
    router, v1, v2 = nginx
    router.apply(split(v1, v2, 0))
    with httpx.Client(trust_env=False) as client:
        answer = client.get(router.url + "/")
    assert answer.headers.get("connection", "").lower() == "close"
    assert "keepalive_timeout 0;" in (router.home / "nginx.conf").read_text()
