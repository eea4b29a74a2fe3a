"""Datadog and New Relic at the HTTP boundary (local stand-ins), and the windows they share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfix.adapters.ci.http import Api
from hotfix.adapters.metrics.datadog import DatadogQuery
from hotfix.adapters.metrics.newrelic import NewRelicQuery, NrqlNames
from hotfix.adapters.metrics.window import Windows
from hotfix.domain.judge.intervals import Interval
from hotfix.errors import ConfigError, MetricsQueryError
from hotfix.wiring import MONITORING, Watch
from tests.adapters.ci.standins import serve
from tests.adapters.metrics.monitoring_standins import (
    DD_API_KEY,
    DD_APP_KEY,
    NR_KEY,
    Faults,
    datadog_app,
    fixed,
    newrelic_app,
)

T0 = 1_700_000_100.0  # a multiple of 15 s
OPEN: list[Api] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def api(system: str, url: str, headers: dict[str, str], token_env: str,
        sleeps: list[float] | None = None) -> Api:
    made = Api(system, url, headers, token_env, sleep=(sleeps if sleeps is not None else []
                                                       ).append, error=MetricsQueryError)
    OPEN.append(made)
    return made


def dd_api(url: str, sleeps: list[float]) -> Api:
    return api("Datadog", url, {"DD-API-KEY": DD_API_KEY, "DD-APPLICATION-KEY": DD_APP_KEY},
               "DD_API_KEY", sleeps)


POINTS = {  # two rollup points in the window, one after it (not counted)
    ("trace.http.request.hits", "v2"): [[T0 * 1000, 40.0], [T0 * 1000 + 7000, 10.4],
                                        [T0 * 1000 + 15000, 999.0]],
    ("trace.http.request.hits", "v1"): [[T0 * 1000, 200.0], [T0 * 1000 + 7000, 250.0]],
    ("trace.http.request.errors", "v2"): [[T0 * 1000, 3.0], [T0 * 1000 + 7000, None]],
}


def test_datadog_counts_per_version_tag_within_the_window() -> None:
    faults, sleeps = Faults(), []
    with serve(datadog_app(fixed(POINTS), faults)) as url:
        interval = DatadogQuery(dd_api(url, sleeps), "v2", "v1", 15)(T0, T0 + 15)
    assert interval == Interval(T0, T0 + 15, (50, 450), (3, 0))  # v1 has no error series
    assert faults.queries[0] == "sum:trace.http.request.hits{version:v2}.as_count().rollup(sum, 15)"


def test_datadog_rate_limits_are_honoured_then_5xx_fail_clearly() -> None:
    faults, sleeps = Faults(throttle=2), []
    with serve(datadog_app(fixed(POINTS), faults)) as url:
        assert DatadogQuery(dd_api(url, sleeps), "v2", "v1", 15)(T0, T0 + 15).requests == (50, 450)
        assert sleeps == [2.0, 2.0]  # Retry-After
        faults.fail, sleeps[:] = 9, []
        with pytest.raises(MetricsQueryError, match="kept failing: 503") as caught:
            DatadogQuery(dd_api(url, sleeps), "v2", "v1", 15)(T0, T0 + 15)
    assert sleeps == [1.0, 2.0, 4.0, 8.0]  # backoff
    assert DD_API_KEY not in str(caught.value)
    assert DD_APP_KEY not in str(caught.value)


def test_datadog_without_its_keys_names_the_variable(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, {"rollout.metrics": "datadog"})
    with pytest.raises(ConfigError, match=r"needs \$DD_API_KEY"):
        MONITORING["datadog"](cfg, {}, _watch())
    with pytest.raises(ConfigError, match=r"needs \$DD_APP_KEY"):
        MONITORING["datadog"](cfg, {"DD_API_KEY": "x"}, _watch())


ROWS = [  # one row per facet; the histogram as NRQL gives it (a count per bucket)
    {"facet": "v2", "tags.version": "v2", "requests": 60, "errors": 6,
     "histogram.duration": [10, 30, 15, 4]},
    {"facet": "v1", "tags.version": "v1", "requests": 240, "errors": 2,
     "histogram.duration": {"0": 50, "0.5": 130, "1": 50, "1.5": 10}},
]


def nr(url: str, sleeps: list[float], **kw: object) -> NewRelicQuery:
    made = api("New Relic", url, {"API-Key": NR_KEY}, "NEW_RELIC_API_KEY", sleeps)
    return NewRelicQuery(made, "v2", "v1", NrqlNames(1234567, ceiling=2.0, buckets=4, **kw))


def test_newrelic_reads_counts_and_histograms_per_facet() -> None:
    faults: Faults = Faults(throttle=1)
    sleeps: list[float] = []
    with serve(newrelic_app(ROWS, faults)) as url:
        interval = nr(url, sleeps, where="appName = 'shop'")(T0, T0 + 15)
    assert interval.requests == (60, 240)
    assert interval.errors == (6, 2)
    assert interval.latency is not None
    assert interval.latency.bounds_ms == (500.0, 1000.0, 1500.0, 2000.0)
    assert interval.latency.canary == (10.0, 30.0, 15.0, 4.0, 1.0)  # 1 above the ceiling
    assert interval.latency.baseline == (50.0, 130.0, 50.0, 10.0, 0.0)
    assert sleeps == [2.0]
    assert faults.queries[-1] == (
        "SELECT count(*) AS 'requests', filter(count(*), WHERE error IS true) AS 'errors', "
        "histogram(duration, 2, 4) FROM Transaction WHERE tags.version IN ('v2', 'v1') AND "
        "(appName = 'shop') FACET tags.version SINCE 1700000100000 UNTIL 1700000115000")


def test_newrelic_no_facet_is_no_data_and_query_errors_fail() -> None:
    with serve(newrelic_app(ROWS[1:], Faults())) as url:
        interval = nr(url, [])(T0, T0 + 15)
        assert interval.requests == (0, 240)
        assert interval.latency is None
        with pytest.raises(MetricsQueryError, match="NRQL Syntax Error"):
            nr(url, [], where="BROKEN")(T0, T0 + 15)
        bad = NewRelicQuery(api("New Relic", url, {"API-Key": "wrong"}, "NEW_RELIC_API_KEY"),
                            "v2", "v1", NrqlNames(1))
        with pytest.raises(Exception, match=r"refused the token in \$NEW_RELIC_API_KEY"):
            bad(T0, T0 + 15)


def test_windows_tile_time_and_a_cursor_replays_since_it() -> None:
    now = [T0 + 7.0]
    seen: list[tuple[float, float]] = []

    def read(start: float, end: float) -> Interval:
        seen.append((start, end))
        return Interval(start, end, (1, 1), (0, 0))

    source = Windows(read, step=15, lag=2.0, clock=lambda: now[0])
    assert len(source.poll()) == 0  # nothing ended yet
    now[0] = T0 + 50.0
    assert source.poll().canary_count == 3  # up to now − lag = T0 + 48
    assert seen == [(T0 + 5.0, T0 + 15), (T0 + 15, T0 + 30), (T0 + 30, T0 + 45)]
    again = Windows(read, step=15, lag=2.0, clock=lambda: T0 + 80.0, cursor=source.cursor())
    again.poll()
    assert seen[3:] == [(T0 + 45, T0 + 60), (T0 + 60, T0 + 75)]


def _watch() -> Watch:
    return Watch("v2", "v1", lambda: {}, None)


def _cfg(tmp_path: Path, values: dict[str, object]):  # type: ignore[no-untyped-def]
    from hotfix.config import load_config

    return load_config(tmp_path, {}, values)


def test_the_wiring_builds_each_monitoring_source_from_the_settings(tmp_path: Path) -> None:
    prom = MONITORING["prometheus-api"](_cfg(tmp_path, {}), {}, _watch())
    assert isinstance(prom, Windows)
    assert prom.step == 15.0
    with pytest.raises(ConfigError, match=r"needs rollout\.newrelic\.account"):
        MONITORING["newrelic"](_cfg(tmp_path, {}), {"NEW_RELIC_API_KEY": NR_KEY}, _watch())
    with pytest.raises(ConfigError, match=r"needs \$NEW_RELIC_API_KEY"):
        MONITORING["newrelic"](_cfg(tmp_path, {"rollout.newrelic.account": 7}), {}, _watch())
