"""Image uploads, money and enum slots on a real ``hotfix serve`` (uvicorn on loopback,
SQLite; the replicas test on PostgreSQL): a file checked by its bytes, kept by its hash,
served immutable and referenced by the zone; every bad file refused naming the slot, with
nothing recorded, nothing kept and the live zone unchanged."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hotfix.domain.content.approval import CATALOG_TITLE
from tests.server.live import LiveServer, live_server
from tests.server.test_content import CONTENT, synced
from tests.server.test_dashboard import browser, csrf_of

TEMPLATE: dict[str, Any] = {
    "zone": "promo", "author": "engineer@shop.example",
    "slots": {"hero": {"type": "image", "max_bytes": 30_000, "max_width": 800,
                       "max_height": 400, "hosts": ["cdn.shop.example"]},
              "price": {"type": "money", "currency": "EUR", "min": "0.50", "max": 500},
              "badge": {"type": "enum", "choices": [{"value": "sale", "label": "On sale"},
                                                    {"value": "new", "label": "New"}]}}}
CATALOG = {"zones": {"promo": {"paths": ["/"]}}, "templates": {"hero-banner": TEMPLATE}}
SCRIPTED_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
                b"<script>fetch('/steal?c='+document.cookie)</script></svg>")


def picture(fmt: str = "PNG", size: tuple[int, int] = (120, 60), **options: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt, **options)
    return out.getvalue()


def file(data: bytes, filename: str = "banner.png", kind: str | None = "image/png") -> dict[
        str, Any]:
    return {"filename": filename, "type": kind, "data": base64.b64encode(data).decode()}


def changes(viewer: Any) -> list[str]:
    """The project's content changes (the record of the templates' approvals aside)."""
    records = viewer.get("/api/v1/projects/default/records").json()
    return [r["id"] for r in records if r["title"] != CATALOG_TITLE]


def name_of(data: bytes, ext: str = "png") -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{ext}"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as server:
        synced(server, CATALOG)
        yield server


def publish(live: LiveServer, values: dict[str, Any], files: dict[str, Any]) -> str:
    with live.client("marketer") as c:
        made = c.post(f"{CONTENT}/changes", json={"template": "hero-banner", "values": values,
                                                   "files": files})
        assert made.status_code == 201, made.text
        key = str(made.json()["id"])
        with live.client("approver") as a:
            assert a.post(live.api(f"/{key}/approve"), json={"note": "ok"}).is_success
        assert c.post(f"{CONTENT}/changes/{key}/publish").json()["state"] == "published"
    return key


def test_an_uploaded_image_is_served_by_its_hash_and_the_zone_references_it(
        live: LiveServer) -> None:
    data = picture()
    publish(live, {"hero": "Winter sale", "price": "12.5", "badge": "sale"},
            {"hero": file(data)})
    url = f"/content/v1/images/{name_of(data)}"
    with live.client() as site:
        values = site.get("/content/v1/zones/promo").json()["values"]
        assert values == {"hero": {"url": url, "alt": "Winter sale", "width": 120,
                                   "height": 60},
                          "price": {"amount": "12.50", "currency": "EUR"}, "badge": "sale"}
        got = site.get(url)
        assert (got.status_code, got.content) == (200, data)
        assert got.headers["content-type"] == "image/png"
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert got.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
        assert got.headers["x-content-type-options"] == "nosniff"
        again = site.get(url, headers={"If-None-Match": got.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        assert site.get(f"/content/v1/images/{'0' * 64}.png").status_code == 404
        assert site.get("/content/v1/images/..%2Fserver.db").status_code in {404, 422}
        assert site.get("/content/v1/images/abc.svg").status_code == 422
    with browser(live, "viewer") as client:  # the zone's rendered fragment shows it
        page = client.get("/ui/p/default/content").text
    assert f'<img src="{url}" alt="Winter sale" width="120" height="60">' in page
    assert '<data class="hf-money" value="12.50" data-currency="EUR">12.50 EUR</data>' in page
    assert '<span data-value="sale">On sale</span>' in page


def test_a_published_image_can_be_kept_by_its_url_in_the_next_change(
        live: LiveServer) -> None:
    data = picture("JPEG", (300, 100))
    publish(live, {"hero": "One", "price": "1", "badge": "new"},
            {"hero": file(data, "hero.jpeg", "image/jpeg")})
    url = f"/content/v1/images/{name_of(data, 'jpg')}"
    publish(live, {"hero": f"{url}|Two", "price": "2", "badge": "new"}, {})
    with live.client() as site:
        hero = site.get("/content/v1/zones/promo").json()["values"]["hero"]
    assert hero == {"url": url, "alt": "Two", "width": 300, "height": 100}


BIG = picture("PNG", (700, 390), compress_level=0)


@pytest.mark.parametrize(("upload", "rule", "says"), [
    (file(picture("JPEG"), "banner.png", "image/png"), "type-mismatch",
     "named .png but its bytes are image/jpeg"),
    (file(picture(), "banner.png", "image/gif"), "type-mismatch", "declared image/gif"),
    (file(BIG), "max_bytes", "at most 30000"),
    (file(picture("GIF", (801, 10)), "wide.gif", "image/gif"), "dimensions", "801×10"),
    (file(picture("WEBP", (10, 401)), "tall.webp", "image/webp"), "dimensions", "at most 800×400"),
    (file(SCRIPTED_SVG, "logo.svg", "image/svg+xml"), "svg", "an SVG with script is refused"),
    (file(picture(), "banner.bmp", "image/bmp"), "extension", "extension .bmp"),
    (file(b"%PDF-1.7 not an image", "flyer.png", "image/png"), "image-type", "not a PNG"),
])
def test_every_bad_file_is_refused_naming_the_slot_and_nothing_changes(
        live: LiveServer, upload: dict[str, Any], rule: str, says: str) -> None:
    good = picture(size=(99, 33))  # not the bytes of any refused file below
    before = publish(live, {"hero": "Standing", "price": "3", "badge": "sale"},
                     {"hero": file(good)})
    with live.client() as site:
        shown = site.get("/content/v1/zones/promo").json()
    with live.client("marketer") as c:
        refused = c.post(f"{CONTENT}/changes", json={
            "template": "hero-banner", "values": {"hero": "New", "price": "4",
                                                  "badge": "new"}, "files": {"hero": upload}})
        assert refused.status_code == 422, refused.text
        assert "slot 'hero'" in refused.json()["detail"]
        assert f"(rule: {rule})" in refused.json()["detail"]
        assert says in refused.json()["detail"]
        redraft = c.post(f"{CONTENT}/changes/{before}/draft", json={
            "template": "hero-banner", "values": {"hero": "New", "price": "4",
                                                  "badge": "new"}, "files": {"hero": upload}})
        assert redraft.status_code == 422
    with live.client("viewer") as v:
        assert changes(v) == [before]  # nothing opened
        events = v.get(live.api(f"/{before}")).json()["events"]
        assert [e["kind"] for e in events][-1] == "publish"  # nothing drafted
    with live.client() as site:
        assert site.get("/content/v1/zones/promo").json() == shown
        data = base64.b64decode(upload["data"])
        for ext in ("png", "jpg", "gif", "webp"):
            assert site.get(f"/content/v1/images/{name_of(data, ext)}").status_code == 404


@pytest.mark.parametrize(("values", "files", "says"), [
    ({"hero": "x", "price": "12.505", "badge": "sale"}, {"hero": file(picture())},
     "slot 'price'"),
    ({"hero": "x", "price": "1", "badge": "gone"}, {"hero": file(picture())},
     "slot 'badge'"),
    ({"hero": "x", "price": "1 USD", "badge": "sale"}, {"hero": file(picture())},
     "(rule: currency)"),
    ({"hero": "x", "price": "1", "badge": "sale"}, {"price": file(picture())},
     "slot 'price': a money slot takes no file"),
    ({"hero": "x", "price": "1", "badge": "sale"}, {"logo": file(picture())},
     "slot 'logo'"),
    ({"hero": "", "price": "1", "badge": "sale"}, {"hero": file(picture())},
     "(rule: alt-text)"),
    ({"hero": "x", "price": "1", "badge": "sale"},
     {"hero": {"filename": "a.png", "data": "not base64!"}}, "files.hero.data is not base64"),
])
def test_a_bad_value_beside_a_good_file_keeps_neither(
        live: LiveServer, values: dict[str, Any], files: dict[str, Any], says: str) -> None:
    with live.client("marketer") as c:
        refused = c.post(f"{CONTENT}/changes", json={"template": "hero-banner",
                                                      "values": values, "files": files})
    assert refused.status_code == 422, refused.text
    assert says in refused.json()["detail"]
    with live.client() as site:
        assert site.get(f"/content/v1/images/{name_of(picture())}").status_code == 404
    with live.client("viewer") as v:
        assert changes(v) == []


@pytest.mark.postgres
def test_an_image_uploaded_through_one_replica_is_served_by_the_other(
        tmp_path: Path, postgres_url: str) -> None:
    data = picture("GIF", (64, 32))
    with live_server(tmp_path / "a", postgres_url) as one:
        synced(one, CATALOG)
        publish(one, {"hero": "Both", "price": "9.99", "badge": "new"},
                {"hero": file(data, "b.gif", "image/gif")})
        with live_server(tmp_path / "b", postgres_url) as other, other.client() as site:
            got = site.get(f"/content/v1/images/{name_of(data, 'gif')}")
            assert (got.status_code, got.content) == (200, data)


BANNER = "/ui/p/default/content/templates/hero-banner"


def test_the_form_has_a_select_a_number_with_currency_and_a_file_field(
        live: LiveServer) -> None:
    with browser(live, "marketer") as client:
        page = client.get(BANNER).text
    assert 'enctype="multipart/form-data" hx-encoding="multipart/form-data"' in page
    badge = page.split('<select id="slot-badge" name="slot-badge"')[1].split("</select>")[0]
    assert '<option value="sale">On sale</option>' in badge
    assert '<option value="new">New</option>' in badge
    price = " ".join(page.split('id="slot-price"')[1].split(">")[0].split())
    assert 'type="number" inputmode="decimal" value="" min="0.50" max="500" step="0.01"' \
        in price
    assert '<input type="hidden" name="slot-price-currency" value="EUR">' in page
    assert '<input id="file-hero" name="file-hero" type="file" ' \
           'accept="image/png,image/jpeg,image/webp,image/gif"' in page
    assert 'id="slot-hero" name="slot-hero" type="text"' in page
    assert "at most 30000 bytes and 800×400 pixels" in page


def test_the_dashboard_drafts_an_uploaded_image_and_refuses_a_bad_one_beside_its_field(
        live: LiveServer) -> None:
    data = picture(size=(200, 100))
    with browser(live, "marketer") as client:
        form = {"csrf": csrf_of(client, BANNER), "slot-hero": "Winter sale",
                "slot-price": "19.9", "slot-price-currency": "EUR", "slot-badge": "new"}
        svg = client.post(BANNER, data=form, files={"file-hero": (
            "logo.svg", SCRIPTED_SVG, "image/svg+xml")})
        assert svg.status_code == 422
        error = svg.text.split('id="err-hero"')[1].split("</span>")[0]
        assert "an SVG with script is refused" in error
        assert "nothing was drafted" in svg.text
        preview = client.post(f"{BANNER}/preview", data=form, headers={"HX-Request": "true"},
                              files={"file-hero": ("banner.png", data, "image/png")})
        inline = base64.b64encode(data).decode()
        assert f'src="data:image/png;base64,{inline}" alt="Winter sale"' in preview.text
        assert ">19.90 EUR</data>" in preview.text
        done = client.post(BANNER, data=form,
                           files={"file-hero": ("banner.png", data, "image/png")})
        assert done.status_code == 303, done.text
        key = client.get(done.headers["location"]).text.split(
            'role="status">')[1].split(" drafted")[0]
    with live.client("viewer") as v:
        draft = v.get(live.api(f"/{key}")).json()["events"][-1]["payload"]
    url = f"/content/v1/images/{name_of(data)}"
    assert draft["values"] == {"hero": {"url": url, "alt": "Winter sale", "width": 200,
                                        "height": 100},
                               "price": {"amount": "19.90", "currency": "EUR"},
                               "badge": "new"}
    with live.client() as site:
        assert site.get(url).content == data
    with live.client("approver") as a:
        assert a.post(live.api(f"/{key}/approve"), json={"note": "ok"}).is_success
    with live.client("marketer") as c:
        assert c.post(f"{CONTENT}/changes/{key}/publish").is_success
    with browser(live, "marketer") as client:  # the form starts from what the zone shows
        again = client.get(BANNER).text
    assert f'value="{url}|Winter sale"' in again
    assert 'value="19.90"' in again
    assert '<option value="new" selected>New</option>' in again
    assert f'<img src="{url}" alt="Winter sale" width="200" height="100">' in again
