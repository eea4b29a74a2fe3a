"""DORA figures on a generated history equal the values computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotfix.domain.metrics.dora import Deploy, Incident, dora

T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
H, D = timedelta(hours=1), timedelta(days=1)

# 4 weeks. Regular releases every Monday (v1.1.0 … v1.4.0), reported by the pipeline;
# v1.2.0 broke checkout: HF-1 opened 2 h after, its fix v1.2.1 promoted 5 h after opening;
# v1.3.0 broke search: HF-2 rolled back to v1.2.1 3 h after, restored 20 min after opening.
DEPLOYS = [
    Deploy("v1.1.0", T0, "pipeline"),
    Deploy("v1.2.0", T0 + 7 * D, "pipeline"),
    Deploy("v1.2.1", T0 + 7 * D + 7 * H, "promote", "HF-1"),
    Deploy("v1.3.0", T0 + 14 * D, "tag"),
    Deploy("v1.2.1", T0 + 14 * D + 3 * H + timedelta(minutes=20), "rollback", "HF-2"),
    Deploy("v1.4.0", T0 + 21 * D, "pipeline"),
]
INCIDENTS = [
    Incident("HF-1", T0 + 7 * D + 2 * H, "v1.2.0", T0 + 7 * D + 7 * H),
    Incident("HF-2", T0 + 14 * D + 3 * H, "v1.3.0", T0 + 14 * D + 3 * H + timedelta(minutes=20)),
    Incident("HF-3", T0 + 22 * D, None, None),  # a content change: remedies no deployment
]
CHANGES = {  # commit times of what each deployment shipped first
    "v1.2.0": [T0 + 5 * D, T0 + 6 * D],  # lead 2 d, 1 d
    "v1.2.1": [T0 + 7 * D + 4 * H],  # lead 3 h
    "v1.3.0": [T0 + 13 * D],  # lead 1 d
}


@pytest.mark.parametrize(("since", "until", "expected"), [
    # the whole history: 6 deployments in 4 weeks
    (T0, T0 + 28 * D, {
        "deployment_frequency": 1.5,
        "lead_time_for_changes": (1 * D).total_seconds(),  # median of 2d, 1d, 3h, 1d
        "change_failure_rate": 2 / 6,
        "failed_deployment_recovery_time": (5 * H + timedelta(minutes=20)).total_seconds() / 2,
        "deployment_rework_rate": 2 / 6,
    }),
    # the second week only: v1.2.0 and its hotfix
    (T0 + 7 * D, T0 + 14 * D, {
        "deployment_frequency": 2.0,
        "lead_time_for_changes": (1 * D).total_seconds(),  # median of 2 d, 1 d, 3 h
        "change_failure_rate": 1 / 2,
        "failed_deployment_recovery_time": (5 * H).total_seconds(),
        "deployment_rework_rate": 1 / 2,
    }),
    # the last week: one clean release, an incident that remedies no deployment
    (T0 + 21 * D, T0 + 28 * D, {
        "deployment_frequency": 1.0,
        "lead_time_for_changes": None,
        "change_failure_rate": 0.0,
        "failed_deployment_recovery_time": None,
        "deployment_rework_rate": 0.0,
    }),
])
def test_dora_matches_hand_computed(since: datetime, until: datetime,
                                    expected: dict[str, float | None]) -> None:
    result = dora(DEPLOYS, INCIDENTS, CHANGES, since, until)
    for name, value in expected.items():
        got = result.figure(name).value
        assert got == (pytest.approx(value) if value is not None else None), name


def test_every_figure_says_what_it_counted_and_the_assumptions() -> None:
    result = dora(DEPLOYS, INCIDENTS, CHANGES, T0, T0 + 28 * D)
    assert result.figure("change_failure_rate").counted == (
        "2 of 6 deployment(s) needed a hotfix or a rollback")
    assert result.figure("deployment_frequency").counted == "6 deployment(s) over 4.0 week(s)"
    assert result.assumptions == (
        "1 release(s) nobody reported with `hotfix deployed` count as deployed when tagged",)
    assert result.to_dict()["since"] == T0.isoformat()


def test_an_empty_window_measures_nothing() -> None:
    result = dora([], [], {}, T0, T0 + 7 * D)
    assert result.figure("deployment_frequency").value == 0.0
    assert all(result.figure(n).value is None for n in (
        "lead_time_for_changes", "change_failure_rate", "failed_deployment_recovery_time",
        "deployment_rework_rate"))
