"""Scheduled content on a real ``hotfix serve``: a start that fell due while the server was
down is logged by the server's own job as soon as it starts again, and the public zone
shows the change from its start whether or not the job has run."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.server.live import LiveServer, live_server
from tests.server.test_content import CONTENT, synced

SETTINGS = "[jobs]\nschedule_every = 1\n"


def kinds(live: LiveServer, key: str) -> list[str]:
    with live.client("viewer") as c:
        return [e["kind"] for e in c.get(live.api(f"/{key}")).json()["events"]]


def test_a_start_missed_while_the_server_was_down_is_logged_when_it_starts(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with live_server(tmp_path / "first", url, SETTINGS) as first:
        synced(first)
        with first.client("marketer") as c:
            made = c.post(f"{CONTENT}/changes", json={
                "template": "shipping-deadline",
                "values": {"deadline": "2099-12-20", "note": "<p>Order by then</p>"}})
            assert made.status_code == 201, made.text
            key = str(made.json()["id"])
            with first.client("approver") as a:
                assert a.post(first.api(f"/{key}/approve"), json={"note": "ok"}).is_success
            start = datetime.now(UTC) + timedelta(seconds=2)  # after the (slow) set-up
            scheduled = c.post(f"{CONTENT}/changes/{key}/schedule",
                               json={"start": start.isoformat(), "tz": "UTC"})
            assert scheduled.status_code == 200, scheduled.text
        assert kinds(first, key)[-1] == "schedule"  # not yet due while this one ran
    time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.5)  # down at start

    with live_server(tmp_path / "second", url, SETTINGS) as second:
        with second.client() as site:
            shown = site.get("/content/v1/zones/shipping").json()
        assert (shown["record"], shown["values"]["deadline"]) == (key, "2099-12-20")
        deadline = time.monotonic() + 15
        while kinds(second, key)[-1] != "publish" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kinds(second, key)[-2:] == ["schedule", "publish"]
        with second.client("viewer") as c:
            publish = c.get(second.api(f"/{key}")).json()["events"][-1]
        assert publish["payload"]["scheduled"] is True
        assert datetime.fromisoformat(publish["payload"]["due"]) == start
