"""``hotfix demo --scenario rollback``: v1.2.0 breaks search, production goes back to v1.1.1
under traffic with no failed request, is verified there, and the fix ships as v1.2.1."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cli.conftest import Invoke, run_demo

# minutes on a busy 2-core machine, maybe twice
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return run_demo(tmp_path_factory.mktemp("demo"), "--scenario", "rollback",
                    shipped=lambda found: not any(
                        s["refused"] for s in found if s["title"].startswith("hotfix backout")))


def text(steps: list[dict[str, Any]], start: str) -> str:
    found = [s for s in steps if s["title"].startswith(start)]
    assert found, f"no step starts with {start!r}: {[s['title'] for s in steps]}"
    assert not found[0]["refused"], "\n".join([found[0]["title"], *found[0]["lines"]])
    return "\n".join(found[0]["lines"])


def test_roll_back_first_then_fix_forward(steps: list[dict[str, Any]]) -> None:
    assert 'GET /search?q=mug → 200 {"results": []}' in text(steps, "The shop ran v1.1.1")
    opened = text(steps, "hotfix open")
    assert "HF-1 (rollback record): SEV1 → rollback" in opened
    assert "roll back first" in opened
    rolled = text(steps, "hotfix rollback HF-1")
    assert re.search(r"all traffic on v1\.1\.1 in \d+\.\d\d s; the router confirms it", rolled)
    assert "pass bug: search: GET /search?q=mug → 200" in rolled
    assert "production runs v1.1.1, verified: the bug's own check passes there" in rolled
    sent = re.search(r"traffic meanwhile: (\d+) requests, 0 failed", rolled)
    assert sent is not None, rolled
    assert int(sent[1]) > 50
    forward = text(steps, "Fix forward")
    assert "HF-1 is now a service record" in forward
    assert "branch hotfix/1.2.1 from v1.2.0" in forward
    assert "tagged v1.2.1" in forward
    shipped = text(steps, "hotfix backout HF-1 --to v1.1.1")
    assert "canary v1.2.1 against v1.1.1: promoted" in shipped
    assert "backup: " in shipped
    assert "pass bug: search" in shipped


def test_an_unknown_scenario_is_a_usage_error(hotfix: Invoke) -> None:
    bad = hotfix("demo", "--scenario", "canary")
    assert bad.code == 2
    assert "unknown demo scenario 'canary'" in bad.err
