"""A content change's approvals on a real ``hotfix serve`` (uvicorn on loopback, SQLite):
how many its zone needs (``content.approvals``, the server's setting, pinned into the draft)
and who may give them (``content.approver_roles``: a second marketer when configured, never
the requester, never twice by one person)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from hotfix.services.identity.users import add_user
from tests.server.live import LiveServer, live_server
from tests.server.test_content import CONTENT, synced

SECOND = "second"  # another marketer, token under live.tokens[SECOND]


@contextmanager
def serving(tmp_path: Path, toml: str) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}",
                     toml) as server:
        server.tokens[SECOND] = add_user(server.parts.identities, "mo@shop.example",
                                         "marketer", "*", server.parts.clock.now()).secret
        synced(server)
        yield server


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[LiveServer]:
    with serving(tmp_path, "") as live:
        yield live


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[LiveServer]:
    with serving(tmp_path, '[content]\napprovals = {"stock" = 2}\n'
                           'approver_roles = ["approver", "marketer"]\n') as live:
        yield live


def change(live: LiveServer, units: str = "12") -> str:
    with live.client("marketer") as c:
        made = c.post(f"{CONTENT}/changes", json={"template": "stock-level",
                                                  "values": {"units": units}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def approve(live: LiveServer, role: str, key: str) -> httpx.Response:
    """``role`` approves ``key`` on the content route."""
    with live.client(role) as c:
        return c.post(f"{CONTENT}/changes/{key}/approve", json={"note": "ok"})


def test_a_zone_needing_two_is_refused_after_one_and_published_after_two(
        configured: LiveServer) -> None:
    key = change(configured)
    with configured.client("approver") as a:
        one = a.post(configured.api(f"/{key}/approve"), json={"note": "ok"})
        assert one.status_code == 200, one.text
        assert one.json()["state"] == "drafted"
    with configured.client("marketer") as c:
        early = c.post(f"{CONTENT}/changes/{key}/publish")
        assert early.status_code == 409
        assert (f"{key} has 1 of the 2 approvals a change to zone 'stock' needs "
                "(by approver@shop.example): 1 more missing") in early.json()["detail"]
        assert approve(configured, "marketer", key).status_code == 409  # the requester
        assert approve(configured, "approver", key).status_code == 403  # no content role
        two = approve(configured, SECOND, key)
        assert two.status_code == 200, two.text
        assert two.json()["state"] == "approved"
        assert c.post(f"{CONTENT}/changes/{key}/publish").json()["state"] == "published"
    with configured.client() as site:
        assert site.get("/content/v1/zones/stock").json()["record"] == key


def test_hotfix_approve_signed_in_as_a_marketer_takes_the_content_route(
        configured: LiveServer) -> None:
    from hotfix.adapters.clock import SystemClock
    from hotfix.adapters.remote.client import ServerClient
    from hotfix.adapters.remote.records import RemoteRecords

    key = change(configured)
    client = ServerClient(configured.url, configured.tokens[SECOND])
    try:
        records = RemoteRecords(client, "default", SystemClock())
        assert records.act(key, "approve", "mo@shop.example", {}).state.value == "drafted"
        record = records.get(key)  # derived by the client with the pinned count too
        assert (record.approvals, record.state.value) == (("mo@shop.example",), "drafted")
    finally:
        client.close()


def test_one_person_never_approves_twice_and_the_requester_never(
        configured: LiveServer) -> None:
    key = change(configured)
    own = approve(configured, "marketer", key)
    assert own.status_code == 409
    assert "requested" in own.json()["detail"]
    assert approve(configured, SECOND, key).json()["state"] == "drafted"
    again = approve(configured, SECOND, key)
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]
    with configured.client("admin") as admin:  # an admin always may
        done = admin.post(f"{CONTENT}/changes/{key}/approve", json={})
        assert done.json()["state"] == "approved", done.text


def test_a_marketers_approval_is_refused_by_default(plain: LiveServer) -> None:
    key = change(plain)
    refused = approve(plain, SECOND, key)
    assert refused.status_code == 403
    assert "approved by the roles admin, approver" in refused.json()["detail"]
    assert "approver_roles" in refused.json()["hint"]
    with plain.client(SECOND) as c:  # nor on the hotfixes' route: no approve permission
        assert c.post(plain.api(f"/{key}/approve"), json={"note": "ok"}).status_code == 403
    with plain.client("approver") as a:  # one approval, as the severity needs
        ok = a.post(plain.api(f"/{key}/approve"), json={"note": "ok"})
        assert ok.json()["state"] == "approved", ok.text
    code = plain.opened("engineer")
    not_content = approve(plain, "admin", code)
    assert not_content.status_code == 403
    assert "is not a content change" in not_content.json()["detail"]


def test_roles_not_listed_do_not_approve_content_on_either_route(tmp_path: Path) -> None:
    with serving(tmp_path, '[content]\napprover_roles = ["marketer"]\n') as live:
        key = change(live)
        with live.client("approver") as a:
            refused = a.post(live.api(f"/{key}/approve"), json={"note": "ok"})
            assert refused.status_code == 403, refused.text
            code = live.opened("engineer")  # a code hotfix: the approvers as ever
            assert a.post(live.api(f"/{code}/approve"), json={"note": "ok"}).is_success
        assert approve(live, SECOND, key).json()["state"] == "approved"


def test_a_second_marketer_approves_on_the_changes_page(configured: LiveServer) -> None:
    from tests.server.test_dashboard import browser, csrf_of

    key = change(configured)
    page = f"/ui/p/default/content/changes/{key}"
    with browser(configured, "marketer") as own:  # the requester gets no button
        assert f"Approve {key}" not in own.get(page).text
    with browser(configured, SECOND) as c:
        shown = c.get(page).text
        assert f"Approve {key}" in shown
        assert "(0 of 2)" in shown
        done = c.post(f"{page}/approve", data={"csrf": csrf_of(c, page)})
        assert done.status_code == 303, done.text
        after = c.get(page).text
        assert "(1 of 2)" in after
        assert f"Approve {key}" not in after  # never twice by one person
