"""A real Prometheus (Debian's package), scraping two versions of the sample shop, queried
through the adapter. Skipped when the binary is missing; CI installs it (.ci/run)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from hotfix.adapters.ci.http import Api
from hotfix.adapters.deploy.local import free_port
from hotfix.adapters.metrics.prometheus_api import PrometheusQuery, PromQueryNames
from hotfix.adapters.metrics.promtext import parse
from hotfix.demo import shop_files as f
from hotfix.demo.prometheus import binary, local_prometheus
from hotfix.domain.judge.engine import Judge
from hotfix.errors import MetricsQueryError

pytestmark = pytest.mark.skipif(
    binary() is None,
    reason="prometheus is not installed (apt-get install prometheus); CI installs it")

CANARY, BASELINE = "1.1.0", "1.0.0"
NAMES = PromQueryNames(status_label="status", selector='job="shop"')


def wait(until: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def shops(tmp_path: Path) -> Iterator[dict[str, str]]:
    procs, addresses = [], {}
    try:
        for version in (BASELINE, CANARY):
            root = tmp_path / version / "shop"
            root.mkdir(parents=True)
            files = {"__init__.py": f.INIT.format(version=version), "catalog.py": f.CATALOG,
                     "checkout.py": f.CHECKOUT_V1, "server.py": f.SERVER}
            for name, text in files.items():
                (root / name).write_text(text)
            port = free_port()
            procs.append(subprocess.Popen([sys.executable, "-m", "shop.server", "--port",
                                           str(port)], cwd=root.parent))
            addresses[version] = f"127.0.0.1:{port}"
            wait(lambda a=addresses[version]: answers(f"http://{a}/health"), f"shop {version}")
        yield addresses
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


@pytest.fixture
def prometheus(tmp_path: Path, shops: dict[str, str]) -> Iterator[str]:
    with local_prometheus(tmp_path / "prometheus", job="shop") as running:
        for version, address in shops.items():
            running.register(address, {"version": version})
        yield running.url


@pytest.fixture
def api(prometheus: str) -> Iterator[Api]:
    made = Api("Prometheus", prometheus, {}, "PROMETHEUS_TOKEN", error=MetricsQueryError)
    yield made
    made.close()


def total(prometheus: str, version: str) -> float:
    body = httpx.get(f"{prometheus}/api/v1/query", trust_env=False, params={
        "query": f'sum(http_requests_total{{version="{version}"}})'}).json()
    result = body["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def send(address: str, ok: int, failing: int, missing: int) -> None:
    with httpx.Client(base_url=f"http://{address}", trust_env=False, timeout=10) as client:
        for _ in range(ok):
            client.post("/checkout", json={"items": [{"sku": "mug", "qty": 1}]})
        for _ in range(failing):  # not JSON: the shop answers 500
            client.post("/checkout", content=b"{not json")
        for _ in range(missing):
            client.get("/nowhere")


def own_count(address: str) -> float:
    """The shop's own request counter (its health checks included)."""
    text = httpx.get(f"http://{address}/metrics", trust_env=False).text
    return sum(s.value for s in parse(text) if s.name == "http_requests_total")


def scraped(prometheus: str, shops: dict[str, str]) -> Callable[[], bool]:
    """Prometheus holds what each shop has counted so far."""
    want = {v: own_count(a) for v, a in shops.items()}
    return lambda: all(total(prometheus, v) == n for v, n in want.items())


def test_counters_are_raw_deltas_per_version_and_histograms_per_bucket(
        prometheus: str, shops: dict[str, str], api: Api) -> None:
    for address in shops.values():
        httpx.get(f"http://{address}/products", trust_env=False)
    wait(scraped(prometheus, shops), "the first scrape")
    t0 = time.time()
    send(shops[CANARY], ok=20, failing=3, missing=5)
    send(shops[BASELINE], ok=40, failing=1, missing=0)
    wait(scraped(prometheus, shops), "the traffic to be scraped")
    t1 = time.time()

    interval = PrometheusQuery(api, CANARY, BASELINE, NAMES)(t0, t1)

    assert interval.requests == (28, 41)
    assert interval.errors == (3, 1)  # the 500s; the 404s are requests, not errors
    assert interval.latency is not None
    assert interval.latency.bounds_ms == tuple(1000 * b for b in (
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0))
    assert sum(interval.latency.canary) == 28
    assert sum(interval.latency.baseline) == 41
    verdict = Judge().update_intervals([interval], [0.4])
    assert verdict.requests == {"canary": 28, "baseline": 41}

    nothing = PrometheusQuery(api, "9.9.9", BASELINE, NAMES)(t0, t1)
    assert nothing.requests == (0, 41)
    assert nothing.latency is None


def test_a_query_prometheus_rejects_fails_with_its_reason(api: Api) -> None:
    broken = PromQueryNames(requests="http_requests_total[", selector='job="shop"')
    with pytest.raises(MetricsQueryError, match=r"400 on GET /api/v1/query.*parse error"):
        PrometheusQuery(api, CANARY, BASELINE, broken)(time.time() - 5, time.time())
