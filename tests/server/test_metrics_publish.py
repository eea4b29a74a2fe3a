"""The delivery metrics computed in the repository (``hotfix metrics --publish``) and charted
on the team server's dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.server.live import PROJECT, LiveServer, email
from tests.server.test_dashboard import browser

METRICS = f"/api/v1/projects/{PROJECT}/metrics"


def test_hotfix_metrics_publish_then_the_dashboard_charts_them(
        hotfix: Invoke, repo: Path, server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert hotfix("metrics", "--publish").code == 2  # a local record: nowhere to publish
    with server.client("viewer") as c:
        assert c.get(METRICS).status_code == 404
    key = server.opened("engineer")
    with server.client("engineer") as c:
        logged = c.post(server.api(f"/{key}/time"), json={"duration": "1h30m", "note": "<b>"})
    assert logged.status_code == 200, logged.text
    monkeypatch.setenv("HOTFIX_SERVER", server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", server.tokens["engineer"])
    done = hotfix("metrics", "--publish", "--json")
    assert done.code == 0, done.err
    assert "published to" in done.err
    with server.client("viewer") as c:
        got = c.get(METRICS).json()
        refused = c.post(METRICS, json={"since": "", "until": "", "figures": {}})
    assert refused.status_code == 403
    assert got["logged_by_person"] == {email("engineer"): 5400}
    assert set(got["figures"]) == set(done.json()["figures"])
    with browser(server, "viewer") as page:
        html = page.get(f"/ui/p/{PROJECT}/metrics").text
    assert "<caption>The five DORA measures, and what each counted</caption>" in html
    assert 'aria-label="Logged work per person"' in html
    assert f"{email('engineer')}: 1h30m</title>" in html
    assert "Hotfixes by severity" in html
    with server.client("engineer") as c:
        bad = c.post(METRICS, json={**got, "sprints": [{"sprint": "", "hotfixes": -1}]})
    assert bad.status_code == 422
