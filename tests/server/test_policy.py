"""On the server, approvers are a role in its database: HOTFIX_APPROVERS and
[approvals] approvers, in the server's environment or file, are ignored."""

from __future__ import annotations

from pathlib import Path

from tests.server.live import email, live_server


def test_approvers_come_from_roles_never_from_the_environment(tmp_path: Path) -> None:
    toml = f'[approvals]\napprovers = ["{email("engineer")}"]\n'
    with live_server(tmp_path / "s", f"sqlite:///{tmp_path / 'db'}", toml,
                     {"HOTFIX_APPROVERS": email("engineer")}) as live:
        with live.client("viewer") as c:
            project = c.get("/api/v1/projects/default").json()
        assert project["approvers"] == [email("admin"), email("approver")]
        key = live.opened("engineer")
        with live.client("engineer") as c:
            forced = c.post(live.api(f"/{key}/actions/start"),
                            json={"payload": {}, "override": "urgent"})
            assert forced.status_code == 403
            assert c.post(live.api(f"/{key}/approve"), json={}).status_code == 403
        with live.client("approver") as c:
            forced = c.post(live.api(f"/{key}/actions/close"),
                            json={"payload": {"note": ""}, "override": "abandoned"})
        assert forced.status_code == 200, forced.text
        kinds = [e["kind"] for e in forced.json()["events"]]
        assert kinds[-2:] == ["override", "close"]


def test_the_generic_action_route_writes_no_event_the_record_keeps_for_itself(
        tmp_path: Path) -> None:
    with live_server(tmp_path / "s", f"sqlite:///{tmp_path / 'db'}") as live:
        key = live.opened("engineer")
        with live.client("engineer") as c:
            for action in ["override", "open", "triage", "time", "approve", "reject", "foo"]:
                r = c.post(live.api(f"/{key}/actions/{action}"), json={"payload": {}})
                assert r.status_code == 422, (action, r.text)
                assert r.headers["content-type"] == "application/problem+json"
            doc = c.post(live.api(f"/{key}/actions/document"), json={
                "payload": {"fields": {"cause": "typo"}, "override": True, "request": "x"}})
        assert doc.status_code == 200, doc.text
        last = doc.json()["events"][-1]
        assert (last["kind"], "override" in last["payload"]) == ("document", False)
        assert [e["kind"] for e in doc.json()["events"]] == ["open", "triage", "document"]
