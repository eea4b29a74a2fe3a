"""Content hotfixes on a real ``hotfix serve`` (uvicorn on loopback, SQLite): sync, change,
approve, publish, the public zone with its ETag, revert; and who may do what."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotfix.domain.content.approval import CATALOG_TITLE
from tests.server.live import LiveServer, live_server

CONTENT = "/api/v1/projects/default/content"
TEMPLATES: dict[str, Any] = {
    "shipping-deadline": {
        "zone": "shipping", "author": "engineer@shop.example",
        "slots": {"deadline": {"type": "date"},
                  "note": {"type": "rich_text", "tags": ["p", "strong"], "max_length": 200}}},
    "stock-level": {
        "zone": "stock", "author": "engineer@shop.example",
        "slots": {"units": {"type": "integer", "min": 0, "max": 999}}},
}
CATALOG = {"zones": {"shipping": {"paths": ["/", "/products/*"]},
                     "stock": {"paths": ["/products/*"]}}, "templates": TEMPLATES}


def synced(live: LiveServer, catalog: dict[str, Any] = CATALOG, by: str = "engineer",
           approver: str | None = "approver") -> dict[str, Any]:
    """``by`` syncs ``catalog``; ``approver`` approves each template as the sync answered."""
    with live.client(by) as c:
        done = c.post(f"{CONTENT}/catalog", json=catalog)
        assert done.status_code == 200, done.text
    if approver is not None:
        with live.client(approver) as a:
            for name, digest in done.json()["digests"].items():
                ok = a.post(f"{CONTENT}/templates/{name}/approve", json={"digest": digest})
                assert ok.status_code == 200, ok.text
    answer: dict[str, Any] = done.json()
    return answer


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}",
                     "[content]\nmax_age = 7\n") as server:
        synced(server)
        yield server


def published(live: LiveServer, deadline: str, note: str = "<p>Order by then</p>") -> str:
    with live.client("marketer") as c:
        made = c.post(f"{CONTENT}/changes", json={
            "template": "shipping-deadline", "values": {"deadline": deadline, "note": note}})
        assert made.status_code == 201, made.text
        key = str(made.json()["id"])
        with live.client("approver") as a:
            assert a.post(live.api(f"/{key}/approve"), json={"note": "ok"}).is_success
        done = c.post(f"{CONTENT}/changes/{key}/publish")
        assert done.status_code == 200, done.text
        assert done.json()["state"] == "published"
    return key


def test_sync_change_publish_shows_on_the_zone_and_revert_brings_back_the_previous(
        live: LiveServer) -> None:
    with live.client() as site:
        empty = site.get("/content/v1/zones/shipping")
        assert (empty.status_code, empty.json()["record"]) == (200, None)
        first = published(live, "2099-12-18")
        shown = site.get("/content/v1/zones/shipping")
        assert shown.json()["values"]["deadline"] == "2099-12-18"
        assert shown.headers["cache-control"] == "public, max-age=7"
        etag = shown.headers["etag"]
        assert site.get("/content/v1/zones/shipping",
                        headers={"If-None-Match": etag}).status_code == 304
        second = published(live, "2099-12-20")
        now = site.get("/content/v1/zones/shipping", headers={"If-None-Match": etag})
        assert (now.status_code, now.json()["values"]["deadline"]) == (200, "2099-12-20")
        assert now.json()["record"] == second
        with live.client("marketer") as c:
            reverted = c.post(f"{CONTENT}/changes/{second}/revert")
        assert reverted.json()["state"] == "reverted"
        back = site.get("/content/v1/zones/shipping").json()
        assert (back["record"], back["values"]["deadline"]) == (first, "2099-12-18")
        kinds = [e["kind"] for e in reverted.json()["events"]]
        assert kinds == ["open", "triage", "draft", "approve", "publish", "revert"]
        assert site.get("/content/v1/zones/nowhere").status_code == 404


def test_a_script_in_rich_text_is_stripped(live: LiveServer) -> None:
    published(live, "2099-12-18", '<p onmouseover="x()">Order <strong>now</strong>'
                                  "<script>steal(document.cookie)</script></p>")
    with live.client() as site:
        note = site.get("/content/v1/zones/shipping").json()["values"]["note"]
    assert note == "<p>Order <strong>now</strong></p>"


def test_a_checkout_zone_is_refused_whatever_it_is_called(live: LiveServer) -> None:
    bad = {"zones": {"banner": {"paths": ["/", "/checkout/**"]}}, "templates": {
        "banner-text": {**TEMPLATES["stock-level"], "zone": "banner"}}}
    with live.client("engineer") as c:
        refused = c.post(f"{CONTENT}/catalog", json=bad)
        assert refused.status_code == 403
        assert "checkout path" in refused.json()["detail"]
        assert c.get(f"{CONTENT}/catalog").json()["version"] == 1  # nothing kept


def test_a_bad_value_or_template_is_refused_naming_it_and_nothing_opens(
        live: LiveServer) -> None:
    with live.client("marketer") as c:
        low = c.post(f"{CONTENT}/changes", json={"template": "stock-level",
                                                  "values": {"units": "-3"}})
        assert low.status_code == 422
        assert "slot 'units'" in low.json()["detail"]
        assert "range" in low.json()["detail"]
        missing = c.post(f"{CONTENT}/changes", json={"template": "checkout-button",
                                                      "values": {}})
        assert missing.status_code == 404
        assert "code hotfix" in missing.json()["hint"]
    with live.client("viewer") as v:
        listed = v.get("/api/v1/projects/default/records").json()
        assert [r["title"] for r in listed] == [CATALOG_TITLE]  # the approvals' record only


def test_a_marketer_publishes_content_but_cannot_approve_a_code_hotfix_or_sync(
        live: LiveServer) -> None:
    published(live, "2099-12-18")
    code = live.opened("engineer")
    with live.client("marketer") as c:
        refused = c.post(live.api(f"/{code}/approve"), json={"note": "looks fine"})
        assert refused.status_code == 403
        assert c.post(f"{CONTENT}/catalog", json=CATALOG).status_code == 403
        digest = c.get(f"{CONTENT}/catalog").json()["digests"]["stock-level"]
        own = c.post(f"{CONTENT}/templates/stock-level/approve", json={"digest": digest})
        assert own.status_code == 403
        assert "approver" in own.json()["hint"]


def test_an_engineer_without_the_marketer_role_cannot_publish_content(
        live: LiveServer) -> None:
    with live.client("marketer") as c:
        key = c.post(f"{CONTENT}/changes", json={
            "template": "stock-level", "values": {"units": "12"}}).json()["id"]
    with live.client("approver") as a:
        assert a.post(live.api(f"/{key}/approve"), json={"note": "ok"}).is_success
    with live.client("engineer") as e:
        assert e.post(f"{CONTENT}/changes/{key}/publish").status_code == 403
        generic = e.post(live.api(f"/{key}/actions/publish"), json={"payload": {}})
        assert generic.status_code == 403
        assert "content routes" in generic.json()["detail"]
    with live.client() as site:
        assert site.get("/content/v1/zones/stock").json()["record"] is None


PROMO = {"zone": "shipping", "author": "engineer@shop.example",
         "slots": {"headline": {"type": "text", "max_length": 40}}}


def with_promo(promo: dict[str, Any]) -> dict[str, Any]:
    return {**CATALOG, "templates": {**TEMPLATES, "promo": promo}}


def test_a_template_is_usable_once_approved_and_again_only_after_an_edit_is(
        live: LiveServer) -> None:
    first = synced(live, with_promo(PROMO), approver=None)
    assert "promo" not in first["approved"]
    with live.client("marketer") as c:
        refused = c.post(f"{CONTENT}/changes", json={"template": "promo",
                                                      "values": {"headline": "Sale"}})
        assert refused.status_code == 403
        assert "hotfix content approve promo" in refused.json()["hint"]
    with live.client("approver") as a:
        done = a.post(f"{CONTENT}/templates/promo/approve",
                      json={"digest": first["digests"]["promo"]})
        assert done.status_code == 200, done.text
        assert (done.json()["by"], done.json()["created"]) == ("approver@shop.example", True)
        assert done.json()["authors"] == ["engineer@shop.example"]
    with live.client("marketer") as c:
        assert c.post(f"{CONTENT}/changes", json={"template": "promo", "values": {
            "headline": "Sale"}}).status_code == 201
        edited = synced(live, with_promo({**PROMO, "slots": {"headline": {"type": "text"}}}),
                        approver=None)
        assert "promo" not in edited["approved"]
        again = c.post(f"{CONTENT}/changes", json={"template": "promo",
                                                    "values": {"headline": "Sale"}})
        assert again.status_code == 403  # edited after approval: not usable
    with live.client("approver") as a:
        stale = a.post(f"{CONTENT}/templates/promo/approve",
                       json={"digest": first["digests"]["promo"]})
        assert stale.status_code == 409  # what the approver reviewed is not what is synced
        assert "changed since you looked" in stale.json()["detail"]
        assert a.post(f"{CONTENT}/templates/promo/approve", json={
            "digest": edited["digests"]["promo"]}).status_code == 200
    with live.client("marketer") as c:
        assert c.post(f"{CONTENT}/changes", json={"template": "promo", "values": {
            "headline": "Sale"}}).status_code == 201


def test_its_author_cannot_approve_it_whatever_their_role(live: LiveServer) -> None:
    by_approver = {**PROMO, "author": "approver@shop.example"}
    answer = synced(live, with_promo(by_approver), approver=None)
    with live.client("approver") as a:
        own = a.post(f"{CONTENT}/templates/promo/approve",
                     json={"digest": answer["digests"]["promo"]})
        assert own.status_code == 409
        assert "is an author of template 'promo'" in own.json()["detail"]
    synced(live, with_promo({**PROMO, "author": ""}), by="admin", approver=None)
    with live.client("admin") as admin:  # who synced it is an author too
        digest = admin.get(f"{CONTENT}/catalog").json()["digests"]["promo"]
        own = admin.post(f"{CONTENT}/templates/promo/approve", json={"digest": digest})
        assert own.status_code == 409
    with live.client("approver") as a:
        assert a.post(f"{CONTENT}/templates/promo/approve",
                      json={"digest": digest}).status_code == 200


def test_the_approval_is_on_the_records_tamper_evident_timeline(live: LiveServer) -> None:
    with live.client("viewer") as v:
        catalog = v.get(f"{CONTENT}/catalog").json()
        approval = catalog["approvals"]["stock-level"]
        assert approval["digest"] == catalog["digests"]["stock-level"]
        record = v.get(live.api(f"/{approval['record']}")).json()
        assert record["title"] == CATALOG_TITLE
        events = [e for e in record["events"] if e["kind"] == "approve_template"]
        assert [(e["actor"], e["payload"]["template"], e["payload"]["digest"])
                for e in events] == [
            ("approver@shop.example", "shipping-deadline",
             catalog["digests"]["shipping-deadline"]),
            ("approver@shop.example", "stock-level", catalog["digests"]["stock-level"])]
        assert v.get(live.api(f"/{approval['record']}/chain")).json()["ok"] is True
