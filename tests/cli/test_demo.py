"""``hotfix demo`` runs the whole lifecycle on the sample shop and ends with exit 0."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cli.conftest import run_demo

# the whole walk-through runs once for the module; a busy 2-core machine needs minutes
pytestmark = pytest.mark.timeout(1800)  # a second run if the judge refused the fix


@pytest.fixture(scope="module")
def demo_steps(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return run_demo(tmp_path_factory.mktemp("demo"), shipped=_shipped)


def _shipped(steps: list[dict[str, Any]]) -> bool:
    """The good fix promoted (the bad one's rollback is asserted on whichever run is kept)."""
    good = [s for s in steps if s["title"].startswith("hotfix deploy HF-1")]
    return bool(good and not good[0]["refused"])


def step(steps: list[dict[str, Any]], start: str) -> dict[str, Any]:
    found = [s for s in steps if s["title"].startswith(start)]
    assert found, f"no step starts with {start!r}: {[s['title'] for s in steps]}"
    return found[0]


def text(s: dict[str, Any]) -> str:
    return "\n".join(s["lines"])


def test_the_fix_goes_all_the_way(demo_steps: list[dict[str, Any]]) -> None:
    assert "SEV1 → hotfix" in text(step(demo_steps, "hotfix open"))
    approved = text(step(demo_steps, "hotfix serve; hotfix login"))
    assert re.search(r"as dana@shop\.example \(the requester\): refused: .*cannot approve",
                     approved), approved
    assert "as lee@shop.example: HF-1 is approved; approvals: lee@shop.example" in approved
    assert "hotfix/1.1.1 from v1.1.0" in text(step(demo_steps, "hotfix start HF-1"))
    checked = text(step(demo_steps, "hotfix check HF-1"))
    assert "scope guard: ok" in checked
    assert "test_total_eu_card_adds_vat" in checked
    assert "targeted run" in checked
    assert "full run" in checked
    assert "tagged v1.1.1" in text(step(demo_steps, "hotfix release HF-1"))
    deployed = step(demo_steps, "hotfix deploy HF-1")
    assert not deployed["refused"]
    assert "promoted" in text(deployed)
    verified = text(step(demo_steps, "hotfix verify HF-1"))
    assert "pass bug: python checks/eu_checkout.py" in verified
    folded = text(step(demo_steps, "hotfix backport HF-1"))
    assert "main has the fix: True; HF-1 is folded_back" in folded
    assert "changelog on main: unreleased entry in CHANGELOG.md (" in folded
    documented = text(step(demo_steps, "hotfix doc HF-1"))
    assert "documented: root_cause, customer_impact, follow_ups" in documented
    assert "filled in by hotfix — ports: main merged, changelog entry written" in documented
    assert "line 1.1: 0 missing" in text(step(demo_steps, "hotfix audit"))
    assert "HF-1 is closed" in text(step(demo_steps, "hotfix time HF-1"))
    assert "chain intact" in text(step(demo_steps, "hotfix log HF-1 --verify"))
    report = text(step(demo_steps, "hotfix report HF-1"))
    assert "rollout promote" in report
    written = [line.split(": ", 1)[1] for line in report.splitlines()
               if line.startswith(("html: /", "pdf: /"))]
    assert written, report
    from pathlib import Path

    assert all(Path(p).is_file() for p in written)  # kept after the sample is removed


def test_content_requests_are_routed(demo_steps: list[dict[str, Any]]) -> None:
    routed = text(step(demo_steps, "Two content requests"))
    assert "Dec 20': → content" in routed
    assert "never touch checkout" in routed


def test_out_of_scope_fix_is_refused_with_the_rule(demo_steps: list[dict[str, Any]]) -> None:
    refused = step(demo_steps, "A second fix, in custom JavaScript")
    assert refused["refused"]
    assert "forbidden-kind:custom-logic: static/checkout-fix.js" in text(refused)


def test_bad_hotfix_is_rolled_back_by_the_judge(demo_steps: list[dict[str, Any]]) -> None:
    bad = step(demo_steps, "A bad hotfix")
    assert bad["refused"]
    assert "rolled_back: the judge found a regression" in text(bad)
    assert "decided after" in text(bad)
