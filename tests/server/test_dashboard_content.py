"""The Content pages on a real server, as a browser without JavaScript uses them: the form
with one field per typed slot, errors beside each field with what was typed kept, the
preview (whole page, and htmx's fragment with out-of-band errors), drafting, publishing,
back to a version; every value escaped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live import LiveServer, live_server
from tests.server.test_content import synced
from tests.server.test_dashboard import browser, csrf_of

FORM = "/ui/p/default/content/templates/shipping-deadline"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as server:
        synced(server)
        yield server


def test_the_form_has_a_field_per_slot_of_the_fitting_type(live: LiveServer) -> None:
    with browser(live, "marketer") as client:
        page = client.get(FORM).text
        assert 'id="slot-deadline" name="slot-deadline" type="date"' in page
        assert '<textarea id="slot-note" name="slot-note"' in page
        listing = client.get("/ui/p/default/content").text
        assert f'href="{FORM}"' in listing
        assert 'href="/ui/p/default/content/templates/stock-level"' in listing
        assert "Nothing published" in listing
        stock = client.get("/ui/p/default/content/templates/stock-level").text
        units = " ".join(stock.split('id="slot-units"')[1].split(">")[0].split())
        assert 'type="number" value="" min="0" max="999" step="1"' in units
    with browser(live, "viewer") as client:  # sees the zones, not the forms
        listing = client.get("/ui/p/default/content").text
        assert f'href="{FORM}"' not in listing
        assert client.get(FORM).status_code == 403


def test_before_any_sync_the_page_says_who_syncs(tmp_path: Path) -> None:
    with live_server(tmp_path / "s", f"sqlite:///{tmp_path / 's.db'}") as server, \
            browser(server, "marketer") as client:
        page = client.get("/ui/p/default/content")
        assert page.status_code == 200
        assert "no content zones or templates have been synced" in page.text
        assert "hotfix content sync" in page.text


def test_errors_show_beside_each_field_and_what_was_typed_is_kept(live: LiveServer) -> None:
    with browser(live, "marketer") as client:
        token = csrf_of(client, FORM)
        typed = {"csrf": token, "slot-deadline": "2001-01-01",
                 "slot-note": '</textarea><script>alert(1)</script>'}
        refused = client.post(FORM, data=typed)
        assert refused.status_code == 422
        page = refused.text
        assert 'value="2001-01-01"' in page
        assert 'aria-invalid="true"' in page
        assert "is in the past" in page.split('id="err-deadline"')[1].split("</span>")[0]
        assert "a value is required" in page.split('id="err-note"')[1].split("</span>")[0]
        assert "<script>alert(1)" not in page
        assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in page
        assert "nothing was drafted" in page
    with live.client("viewer") as api:
        assert api.get("/content/v1/zones/shipping").json()["record"] is None


def test_the_preview_renders_the_zone_fragment_sanitised(live: LiveServer) -> None:
    with browser(live, "marketer") as client:
        token = csrf_of(client, FORM)
        form = {"csrf": token, "slot-deadline": "2099-12-20",
                "slot-note": '<p onclick="x()">Order by <strong>Dec 20</strong></p>'}
        partial = client.post(f"{FORM}/preview", data=form, headers={"HX-Request": "true"})
        assert partial.status_code == 200
        assert partial.text.lstrip().startswith('<div class="hf-zone" data-zone="shipping"')
        assert '<time datetime="2099-12-20">2099-12-20</time>' in partial.text
        assert "<p>Order by <strong>Dec 20</strong></p>" in partial.text
        assert "onclick" not in partial.text
        assert 'id="err-deadline" class="field-error" role="alert" hx-swap-oob="true">' \
            '</span>' in partial.text
        whole = client.post(f"{FORM}/preview", data={**form, "slot-deadline": "x"})
        assert 'id="preview"' in whole.text
        assert "is not an ISO date" in whole.text
        assert client.post(f"{FORM}/preview", data={**form, "csrf": "0" * 40}).status_code \
            == 403


def test_draft_approve_publish_and_back_to_a_version(live: LiveServer) -> None:
    def draft(client: object, deadline: str) -> str:
        import httpx

        assert isinstance(client, httpx.Client)
        done = client.post(FORM, data={"csrf": csrf_of(client, FORM),
                                       "slot-deadline": deadline, "slot-note": "<p>Hi</p>"})
        assert done.status_code == 303
        listing = client.get(done.headers["location"]).text
        key = listing.split('role="status">')[1].split(" drafted")[0]
        assert f'id="change-{key}"' in listing
        assert "waits for an approver" in listing
        with live.client("approver") as a:
            assert a.post(live.api(f"/{key}/approve"), json={"note": "ok"}).is_success
        assert f"Publish {key}" in client.get("/ui/p/default/content").text
        token = csrf_of(client, "/ui/p/default/content")
        assert client.post(f"/ui/p/default/content/changes/{key}/publish",
                           data={"csrf": token}).status_code == 303
        return key

    with browser(live, "marketer") as client, live.client() as site:
        first = draft(client, "2099-12-18")
        prefilled = client.get(FORM).text
        assert 'value="2099-12-18"' in prefilled  # the form starts from what the zone shows
        second = draft(client, "2099-12-20")
        assert site.get("/content/v1/zones/shipping").json()["record"] == second
        listing = client.get("/ui/p/default/content").text
        assert f"Revert {second}" in listing
        assert f"Back to {first}" in listing
        token = csrf_of(client, "/ui/p/default/content")
        back = client.post(f"/ui/p/default/content/zones/shipping/back/{first}",
                           data={"csrf": token})
        assert back.status_code == 303
        shown = site.get("/content/v1/zones/shipping").json()
        assert (shown["record"], shown["values"]["deadline"]) == (first, "2099-12-18")
        again = client.post(f"/ui/p/default/content/zones/shipping/back/{second}",
                            data={"csrf": token})
        assert again.status_code == 409
        assert "not a publish still standing" in again.text


def test_submitting_the_same_form_twice_drafts_once(live: LiveServer) -> None:
    import re

    with browser(live, "marketer") as client:
        page = client.get(FORM).text
        once = re.search(r'name="request" value="([0-9a-f]{32})"', page)
        assert once
        form = {"csrf": csrf_of(client, FORM), "request": once[1],
                "slot-deadline": "2099-12-20", "slot-note": "<p>Hi</p>"}
        first, second = client.post(FORM, data=form), client.post(FORM, data=form)
        assert first.headers["location"] == second.headers["location"]
        other = client.post(FORM, data={**form, "request": "f" * 32})
        assert other.headers["location"] != first.headers["location"]


def test_an_approver_approves_a_waiting_template_on_the_page_its_author_cannot(
        live: LiveServer) -> None:
    from tests.server.test_content import PROMO, with_promo

    answer = synced(live, with_promo({**PROMO, "author": "approver@shop.example"}),
                    approver=None)
    page = "/ui/p/default/content"
    with browser(live, "marketer") as client:
        listing = client.get(page).text
        assert 'id="waiting-promo"' in listing
        assert "Approve promo" not in listing
        assert 'href="/ui/p/default/content/templates/promo"' not in listing  # not usable
    with browser(live, "approver") as client:  # its author
        listing = client.get(page).text
        assert "approver@shop.example, engineer@shop.example" in listing  # and who synced
        assert "Approve promo" not in listing
        refused = client.post(f"{page}/templates/promo/approve", data={
            "csrf": csrf_of(client, page), "digest": answer["digests"]["promo"]})
        assert refused.status_code == 409
        assert "is an author of template" in refused.text
    with browser(live, "admin") as client:
        listing = client.get(page).text
        assert "Approve promo" in listing
        assert f'name="digest" value="{answer["digests"]["promo"]}"' in listing
        stale = client.post(f"{page}/templates/promo/approve", data={
            "csrf": csrf_of(client, page), "digest": "0" * 64})
        assert stale.status_code == 409
        assert "changed since you looked" in stale.text
        done = client.post(f"{page}/templates/promo/approve", data={
            "csrf": csrf_of(client, page), "digest": answer["digests"]["promo"]})
        assert done.status_code == 303
        listing = client.get(done.headers["location"]).text
        assert "template promo approved by admin@shop.example" in listing
        assert 'id="waiting-promo"' not in listing
        assert 'href="/ui/p/default/content/templates/promo"' in listing  # usable now
