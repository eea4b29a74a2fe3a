"""``hotfix demo --metrics prometheus``: the canary judged from a real Prometheus (Debian's
package) that scrapes every instance of the sample shop the demo starts, each labelled with
its version; without the binary the demo says so and does not start."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from hotfix.demo.prometheus import binary
from tests.cli.conftest import Invoke, run_demo


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a minute or two on a busy 2-core machine, maybe twice
@pytest.mark.skipif(binary() is None,
                    reason="prometheus is not installed (apt-get install prometheus); CI "
                           "installs it")
def test_the_demo_judges_its_canary_from_prometheus(tmp_path: Path) -> None:
    def ship(found: list[dict[str, Any]]) -> dict[str, Any]:
        return next(s for s in found if s["title"].startswith("hotfix backout"))

    steps = run_demo(tmp_path, "--scenario", "rollback", "--metrics", "prometheus",
                     shipped=lambda found: not ship(found)["refused"])
    first = steps[0]
    assert re.match(r"Prometheus on http://127\.0\.0\.1:\d+ ", first["title"]), first
    assert "rollout.metrics = 'prometheus-api'" in "\n".join(first["lines"])
    shipped = "\n".join(ship(steps)["lines"])
    assert "canary v1.2.1 against v1.1.1: promoted" in shipped, shipped
    judged = re.search(r"canary: (\d+) requests", shipped)
    held = re.search(r"Prometheus holds v1\.2\.1: (\d+) requests, v1\.1\.1: (\d+)", shipped)
    assert judged is not None, shipped
    assert held is not None, shipped
    # the judge's windows are a part of what Prometheus scraped from the canary
    assert 0 < int(judged[1]) <= int(held[1])
    assert "pass bug: search" in shipped


def test_without_prometheus_the_demo_says_so_and_does_not_start(
        hotfix: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no prometheus there
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the sample would go
    missing = hotfix("demo", "--metrics", "prometheus")
    assert missing.code == 1
    assert "needs the prometheus binary, which is not on PATH" in missing.err
    assert "apt-get install prometheus" in missing.err
    assert list(scratch.iterdir()) == []  # no sample shop was built


def test_metrics_apply_to_the_scenarios_that_deploy_a_canary(hotfix: Invoke) -> None:
    flags = hotfix("demo", "--scenario", "flags", "--metrics", "prometheus")
    assert flags.code == 2
    assert "the flags scenario deploys none" in flags.err
    unknown = hotfix("demo", "--metrics", "datadog")
    assert unknown.code == 2
    assert "unknown --metrics 'datadog'" in unknown.err
