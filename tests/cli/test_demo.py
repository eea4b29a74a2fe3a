"""``hotfix demo`` runs the lifecycle on the sample shop and ends with exit 0."""

from __future__ import annotations

from tests.cli.conftest import Invoke


def test_demo_runs_to_the_end(hotfix: Invoke) -> None:
    result = hotfix("demo", "--json")
    assert result.code == 0, result.err
    steps = result.json()["steps"]
    titles = [s["title"] for s in steps]
    assert any(t.startswith("hotfix open") for t in titles)
    refused = [s for s in steps if s["refused"]]
    assert any("cannot approve" in " ".join(s["lines"]) for s in refused)
    assert "chain intact" in " ".join(steps[-1]["lines"])
