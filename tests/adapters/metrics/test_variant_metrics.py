"""A flag rollout's source: the app's counters by variant, scraped over real HTTP."""

from __future__ import annotations

from contextlib import AbstractContextManager

from hotfix.adapters.metrics.variants import VariantMetrics
from hotfix.ports import UserCounts
from tests.rollout_app.flag_app import exposing as serve_text


def exposing(pages: list[str]) -> AbstractContextManager[str]:
    """Serves ``pages[-1]`` at /metrics (append to change it); yields host:port."""
    return serve_text(lambda: pages[-1])


def page(on: int, off: int, failed_on: int, *, unlabelled: int = 0) -> str:
    return "\n".join([
        "# TYPE http_requests_total counter",
        f'http_requests_total{{variant="on",status="200"}} {on * 10}',
        f'http_requests_total{{variant="on",status="503"}} {failed_on}',
        f'http_requests_total{{variant="off",status="200"}} {off * 10}',
        f'http_requests_total{{status="200"}} {unlabelled}',
        f'flag_users_total{{flag="new-checkout",variant="on"}} {on}',
        f'flag_users_total{{flag="new-checkout",variant="off"}} {off}',
        f'flag_users_total{{flag="other",variant="on"}} {on * 100}',
        f'flag_failed_users_total{{flag="new-checkout",variant="on"}} {failed_on}',
        "",
    ])


def test_users_and_requests_by_variant_since_the_last_scrape_and_from_a_cursor() -> None:
    pages = [page(3, 7, 1, unlabelled=5)]
    with exposing(pages) as at:
        source = VariantMetrics(lambda: [at], "new-checkout", "on", "off", lambda: 42.0)
        start = source.cursor()
        assert source.poll().users == UserCounts()
        pages.append(page(5, 10, 2, unlabelled=9))
        obs = source.poll()
        assert obs.users == UserCounts(seen_canary=2, seen_baseline=3, failed_canary=1,
                                       failed_baseline=0, unlabelled=4)
        assert (obs.canary_count, obs.baseline_count) == (21, 30)
        assert int((~obs.ok).sum()) == 1
        assert set(obs.t.tolist()) == {42.0}
        pages.append(page(1, 1, 0))  # the app restarted: its counters count from zero
        assert source.poll().users == UserCounts(1, 1, 0, 0, 0)
        replay = VariantMetrics(lambda: [at], "new-checkout", "on", "off", lambda: 0.0,
                                snapshot=start["snapshot"])
        assert replay.poll().users == UserCounts(1, 1, 0, 0, 0)  # since the start, restarted


def test_an_app_that_does_not_answer_gives_nothing() -> None:
    source = VariantMetrics(lambda: ["127.0.0.1:9"], "new-checkout", "on", "off", lambda: 0.0)
    obs = source.poll()
    assert len(obs) == 0
    assert obs.users == UserCounts()


def test_with_targeting_rules_only_the_splits_users_count() -> None:
    text = "\n".join([
        'http_requests_total{variant="on",reason="SPLIT",status="200"} 40',
        'http_requests_total{variant="on",reason="TARGETING_MATCH",status="500"} 9',
        'http_requests_total{variant="off",reason="SPLIT",status="200"} 60',
        'http_requests_total{variant="on",status="200"} 7',
        'flag_users_total{flag="new-checkout",variant="on",reason="SPLIT"} 4',
        'flag_users_total{flag="new-checkout",variant="on",reason="TARGETING_MATCH"} 30',
        'flag_users_total{flag="new-checkout",variant="off",reason="SPLIT"} 6',
        'flag_failed_users_total{flag="new-checkout",variant="on",reason="TARGETING_MATCH"} 9',
        'flag_slow_users_total{flag="new-checkout",variant="on",reason="SPLIT"} 2',
        'flag_slow_users_total{flag="new-checkout",variant="on",reason="TARGETING_MATCH"} 20',
        'flag_slow_users_total{flag="new-checkout",variant="off"} 5',
        "",
    ])
    with exposing([text]) as at:
        source = VariantMetrics(lambda: [at], "new-checkout", "on", "off", lambda: 0.0,
                                snapshot={}, split_only=True)
        obs = source.poll()
        assert obs.users == UserCounts(4, 6, 0, 0, unlabelled=7, slow_canary=2,
                                       slow_counted=True)
        assert (obs.canary_count, obs.baseline_count) == (40, 60)
        everyone = VariantMetrics(lambda: [at], "new-checkout", "on", "off", lambda: 0.0,
                                  snapshot={})
        assert everyone.poll().users == UserCounts(34, 6, 9, 0, 0, 22, 5, True)


def test_slow_users_by_variant_and_whether_the_app_exports_them_at_all() -> None:
    base = page(3, 7, 1)
    pages = [base]
    with exposing(pages) as at:
        source = VariantMetrics(lambda: [at], "new-checkout", "on", "off", lambda: 0.0)
        assert source.poll().users == UserCounts()  # no slow users' series: no latency data
        pages.append(base + "\n".join([
            'flag_slow_users_total{flag="new-checkout",variant="on"} 0',
            'flag_slow_users_total{flag="new-checkout",variant="off"} 0', ""]))
        assert source.poll().users == UserCounts(slow_counted=True)  # exported at 0: data
        pages.append(base + "\n".join([
            'flag_slow_users_total{flag="new-checkout",variant="on"} 4',
            'flag_slow_users_total{flag="new-checkout",variant="off"} 1',
            'flag_slow_users_total{flag="other",variant="on"} 50', ""]))
        assert source.poll().users == UserCounts(slow_canary=4, slow_baseline=1,
                                                 slow_counted=True)
        pages.append(base)  # gone again (the counter was dropped): no latency data
        assert source.poll().users.slow_counted is False
