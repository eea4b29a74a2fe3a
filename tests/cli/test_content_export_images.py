"""``hotfix content export`` with uploaded images, and ``hotfix content images prune``, on
the local record and through a team server (real SQLite; the server on PostgreSQL too:
tests/server/test_content_client.py): the images a zone shows are written under
DIR/images/ by their content-hash names, byte for byte, and named relative to the export;
a prune removes only what no event of any record names, so a revert still finds its image."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.cli.conftest import Grant, Invoke
from tests.cli.test_content import ENG, LEAD, MKT, marketer  # noqa: F401 (a fixture)
from tests.cli.test_content_files import picture, write_hero

pytestmark = pytest.mark.both_modes


def published(hotfix: Invoke, path: Path, alt: str) -> str:
    made = hotfix("content", "change", "hero-banner", "--file", f"hero={path}", "--set",
                  f"hero={alt}", "--set", "price=2 EUR", "--set", "badge=sale", "--as", MKT,
                  "--json")
    assert made.code == 0, made.err
    key = str(made.json()["id"])
    assert hotfix("approve", key, "--as", LEAD).code == 0
    assert hotfix("content", "publish", key, "--as", MKT).code == 0
    return key


def ready(hotfix: Invoke, repo: Path) -> None:
    write_hero(repo)
    assert hotfix("content", "sync", "--as", ENG).code == 0
    assert hotfix("content", "approve", "hero-banner", "--as", LEAD).code == 0


def test_export_writes_the_images_a_zone_shows_and_names_them_relative_to_the_export(
        hotfix: Invoke, repo: Path, tmp_path: Path) -> None:
    ready(hotfix, repo)
    data = picture(tmp_path / "banner.png", "PNG", (300, 120))
    name = f"{hashlib.sha256(data).hexdigest()}.png"
    published(hotfix, tmp_path / "banner.png", "Winter sale")
    site = tmp_path / "site"
    done = hotfix("content", "export", str(site), "--json")
    assert done.code == 0, done.err
    assert (done.json()["images"], done.json()["written"]) == ([name], [name])
    image = site / "images" / name
    assert image.read_bytes() == data
    zone = json.loads((site / "shipping.json").read_text())
    assert zone["values"]["hero"] == {"url": f"images/{name}", "alt": "Winter sale",
                                      "width": 300, "height": 120}
    served = hotfix("content", "show", "shipping", "--json").json()  # the rest as served
    served["values"]["hero"]["url"] = f"images/{name}"
    served["fragment"] = served["fragment"].replace(f'src="/content/v1/images/{name}"',
                                                    f'src="images/{name}"')
    assert zone == served
    html = (site / "shipping.html").read_text()
    assert f'<img src="images/{name}" alt="Winter sale" width="300" height="120">' in html
    assert "/content/v1/" not in html + (site / "shipping.json").read_text()

    before = image.stat()
    again = hotfix("content", "export", str(site), "--json")  # there with its bytes: kept
    assert (again.json()["images"], again.json()["written"]) == ([name], [])
    assert (image.stat().st_ino, image.stat().st_mtime_ns) == (before.st_ino,
                                                               before.st_mtime_ns)
    assert "1 image(s) under images/, 0 written now" in hotfix(
        "content", "export", str(site)).out
    image.write_bytes(b"not the image")  # damaged: written again, byte for byte
    assert hotfix("content", "export", str(site), "--json").json()["written"] == [name]
    assert image.read_bytes() == data
    assert sorted(p.name for p in (site / "images").iterdir()) == [name]  # no temporary

    elsewhere = hotfix("content", "export", str(site), "--images-url", "/content/images",
                       "--json")
    assert elsewhere.code == 0, elsewhere.err
    assert json.loads((site / "shipping.json").read_text())["values"]["hero"]["url"] == (
        f"/content/images/{name}")
    assert f'src="/content/images/{name}"' in (site / "shipping.html").read_text()


def test_prune_removes_only_images_no_event_names_and_a_revert_still_finds_its_own(
        hotfix: Invoke, repo: Path, tmp_path: Path, grant: Grant) -> None:
    grant("dev@example.com", "admin")  # the git user: on a team server, pruning is an admin's
    ready(hotfix, repo)
    first = picture(tmp_path / "a.png", "PNG", (40, 20))
    second = picture(tmp_path / "b.gif", "GIF", (40, 20))
    stray = picture(tmp_path / "c.webp", "WEBP", (40, 20))
    old = published(hotfix, tmp_path / "a.png", "First")
    new = published(hotfix, tmp_path / "b.gif", "Second")  # the first is history now
    # a redraft of a published change is refused after its file passed: kept, named by none
    refused = hotfix("content", "draft", old, "--template", "hero-banner", "--file",
                     f"hero={tmp_path}/c.webp", "--set", "hero=Third", "--set", "price=2 EUR",
                     "--set", "badge=new", "--as", MKT)
    assert refused.code == 1, refused.err
    names = {n: f"{hashlib.sha256(d).hexdigest()}.{e}"
             for n, d, e in (("first", first, "png"), ("second", second, "gif"),
                             ("stray", stray, "webp"))}

    recent = hotfix("content", "images", "prune", "--json")  # within the grace period
    assert recent.code == 0, recent.err
    assert (recent.json()["unreferenced"], recent.json()["kept"], recent.json()["recent"]) \
        == ([], 2, 1)
    dry = hotfix("content", "images", "prune", "--grace", "0", "--json")
    assert [i["name"] for i in dry.json()["unreferenced"]] == [names["stray"]]
    assert (dry.json()["removed"], dry.json()["bytes"]) == (False, len(stray))
    again = hotfix("content", "images", "prune", "--grace", "0")  # a dry run removed nothing
    assert "would remove (dry run; --apply removes) 1 image(s)" in again.out
    assert names["stray"] in again.out
    done = hotfix("content", "images", "prune", "--grace", "0", "--apply", "--json")
    assert done.code == 0, done.err
    assert ([i["name"] for i in done.json()["unreferenced"]], done.json()["removed"]) == (
        [names["stray"]], True)
    after = hotfix("content", "images", "prune", "--grace", "0", "--json").json()
    assert (after["unreferenced"], after["kept"]) == ([], 2)

    assert hotfix("content", "revert", new, "--as", MKT).code == 0  # back to the first
    site = tmp_path / "site"
    exported = hotfix("content", "export", str(site), "--json")
    assert exported.code == 0, exported.err
    assert exported.json()["images"] == [names["first"]]
    assert (site / "images" / names["first"]).read_bytes() == first
