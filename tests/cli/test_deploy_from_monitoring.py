"""``hotfix deploy`` judged from the team's monitoring: Datadog at the HTTP boundary (a
stand-in answering as live traffic would): a clear regression rolled back, the judge's
evidence on the record."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.wiring import open_context
from tests.adapters.ci.standins import serve
from tests.adapters.metrics.monitoring_standins import (
    DD_API_KEY,
    DD_APP_KEY,
    Faults,
    datadog_app,
    per_second,
)
from tests.cli.conftest import Invoke
from tests.cli.test_rollout_commands import write_toml
from tests.services.rollout.rollout_setup import BOSS, cleanup, kinds, released, settings

pytestmark = pytest.mark.slow
HITS, ERRORS = "trace.http.request.hits", "trace.http.request.errors"


# The clean-fix case ("promoted") is not here yet: a stand-in at constant rates does not follow
# the router's split (the judge's sample-ratio check rightly withholds promotion), and
# judge.weights without latency crashes the engine (KeyError in _note_crossings): issue 18.
@pytest.mark.parametrize(("canary_errors", "outcome"), [(30.0, "rolled back")])
def test_deploy_judged_from_datadog(tmp_path: Path, hotfix: Invoke,
                                    monkeypatch: pytest.MonkeyPatch,
                                    canary_errors: float, outcome: str) -> None:
    monkeypatch.setenv("DD_API_KEY", DD_API_KEY)
    monkeypatch.setenv("DD_APP_KEY", DD_APP_KEY)
    rates = {(HITS, "v1.0.0"): 100.0, (HITS, "v1.0.1"): 100.0, (ERRORS, "v1.0.1"): canary_errors}
    faults = Faults()
    with serve(datadog_app(per_second(rates), faults)) as url:
        ctx, key = released(tmp_path, {})
        write_toml(ctx.root, settings(**{
            "rollout.metrics": "datadog", "rollout.datadog.url": url,
            "rollout.monitor.step_seconds": 1.0, "rollout.monitor.lag_seconds": 0.2,
            # Datadog's hits and errors carry no latency: judge the errors alone
            "judge.weights": {"errors": 1.0, "latency": 0.0, "tail": 0.0}}))
        ctx.close()
        ctx = open_context(ctx.root, {})
        with cleanup(ctx):
            from hotfix.services.rollout import production
            production.up(ctx, "v1.0.0")
            done = hotfix("deploy", key, "--as", BOSS, cwd=ctx.root)
            assert f"{key} {outcome}" in done.out, done.out + done.err
            assert done.code == (0 if outcome == "promoted" else 1)
            assert any("version:v1.0.1" in q for q in faults.queries)
            if outcome == "promoted":
                assert ctx.records.get(key).state.value == "deployed"
            else:
                assert kinds(ctx, key)[-1] == "rollback"
