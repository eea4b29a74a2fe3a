"""``hotfix content`` signed in to a real team server (on SQLite and PostgreSQL): CI syncs
the repository's content/, a marketer changes and publishes, the site reads the zone, the
marketer reverts; a marketer cannot sync or approve a template."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.cli.test_content import write_catalog
from tests.cli.test_content_files import picture, write_hero
from tests.server.live import LiveServer


def test_sync_change_publish_revert_through_the_server(
        hotfix: Invoke, repo: Path, any_server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def as_user(role: str) -> None:
        monkeypatch.setenv("HOTFIX_SERVER", any_server.url)
        monkeypatch.setenv("HOTFIX_TOKEN", any_server.tokens[role])

    write_catalog(repo)
    as_user("marketer")
    assert hotfix("content", "sync").code == 1  # marketers never widen what templates touch
    as_user("engineer")
    synced = hotfix("content", "sync", "--json")
    assert synced.code == 0, synced.err
    assert (synced.json()["version"], synced.json()["created"]) == (1, True)
    as_user("marketer")
    assert hotfix("content", "approve", "shipping-deadline").code == 1  # nor approve them
    as_user("approver")  # as this checkout's content/ has it, which it reviewed
    approved = hotfix("content", "approve", "shipping-deadline", "--json")
    assert approved.code == 0, approved.err
    assert approved.json()["by"] == "approver@shop.example"
    as_user("marketer")
    assert "shipping-deadline" in hotfix("content", "templates").out
    made = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-20",
                  "--set", "note=<p>By <strong>Dec 20</strong></p>", "--json")
    assert made.code == 0, made.err
    key = made.json()["id"]
    assert made.json()["requester"] == "marketer@shop.example"
    as_user("approver")
    assert hotfix("approve", key).code == 0
    as_user("marketer")
    assert hotfix("content", "publish", key, "--json").json()["state"] == "published"
    with any_server.client() as site:
        assert site.get("/content/v1/zones/shipping").json()["values"]["deadline"] == (
            "2099-12-20")
    assert hotfix("content", "show", "shipping", "--json").json()["record"] == key
    assert hotfix("content", "revert", key).code == 0
    with any_server.client() as site:
        assert site.get("/content/v1/zones/shipping").json()["record"] is None


def test_the_file_is_sent_to_the_team_server_which_checks_and_serves_it(
        hotfix: Invoke, repo: Path, tmp_path: Path, any_server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_SERVER", any_server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", any_server.tokens["engineer"])
    write_hero(repo)
    assert hotfix("content", "sync").code == 0
    monkeypatch.setenv("HOTFIX_TOKEN", any_server.tokens["approver"])
    assert hotfix("content", "approve", "hero-banner").code == 0
    monkeypatch.setenv("HOTFIX_TOKEN", any_server.tokens["marketer"])
    data = picture(tmp_path / "b.gif", "GIF", (40, 30))
    made = hotfix("content", "change", "hero-banner", "--file", f"hero={tmp_path}/b.gif",
                  "--set", "hero=A box", "--set", "price=2 EUR", "--set", "badge=new", "--json")
    assert made.code == 0, made.err
    url = made.json()["draft"]["values"]["hero"]["url"]
    assert url == f"/content/v1/images/{hashlib.sha256(data).hexdigest()}.gif"
    with any_server.client() as site:
        assert site.get(url).content == data
    picture(tmp_path / "fake.gif", "PNG", (4, 4))
    refused = hotfix("content", "change", "hero-banner", "--file", f"hero={tmp_path}/fake.gif",
                     "--set", "hero=A box", "--set", "price=2 EUR", "--set", "badge=new")
    assert refused.code == 2, refused.err
    assert "slot 'hero'" in refused.err
    assert "type-mismatch" in refused.err


def test_export_and_prune_through_the_server_fetch_its_images_and_keep_what_events_name(
        hotfix: Invoke, repo: Path, tmp_path: Path, any_server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    def as_user(role: str) -> None:
        monkeypatch.setenv("HOTFIX_SERVER", any_server.url)
        monkeypatch.setenv("HOTFIX_TOKEN", any_server.tokens[role])

    def change(path: Path, key: str | None = None) -> tuple[int, str]:
        given = ["--file", f"hero={path}", "--set", "hero=A box", "--set", "price=2 EUR",
                 "--set", "badge=new", "--json"]
        done = hotfix("content", *(["draft", key, "--template", "hero-banner"] if key else
                                   ["change", "hero-banner"]), *given)
        return done.code, (done.json()["id"] if done.code == 0 else done.err)

    write_hero(repo)
    as_user("engineer")
    assert hotfix("content", "sync").code == 0
    as_user("approver")
    assert hotfix("content", "approve", "hero-banner").code == 0
    as_user("marketer")
    shown = picture(tmp_path / "a.gif", "GIF", (40, 30))
    stray = picture(tmp_path / "b.png", "PNG", (40, 30))
    code, key = change(tmp_path / "a.gif")
    assert code == 0, key
    as_user("approver")
    assert hotfix("approve", key).code == 0
    as_user("marketer")
    assert hotfix("content", "publish", key).code == 0
    code, why = change(tmp_path / "b.png", key)  # a published change takes no new draft
    assert code == 1, why
    name, loose = (f"{hashlib.sha256(d).hexdigest()}.{e}" for d, e in ((shown, "gif"),
                                                                        (stray, "png")))

    site = tmp_path / "site"
    done = hotfix("content", "export", str(site), "--json")  # the images from the server
    assert done.code == 0, done.err
    assert done.json()["written"] == [name]
    assert (site / "images" / name).read_bytes() == shown
    zone = json.loads((site / "shipping.json").read_text())
    assert zone["values"]["hero"]["url"] == f"images/{name}"
    assert f'src="images/{name}"' in (site / "shipping.html").read_text()

    refused = hotfix("content", "images", "prune", "--grace", "0", "--apply")
    assert refused.code == 1  # a marketer removes nothing: admins only
    assert "admin" in refused.err
    as_user("admin")
    dry = hotfix("content", "images", "prune", "--grace", "0", "--json")
    assert dry.code == 0, dry.err
    assert [i["name"] for i in dry.json()["unreferenced"]] == [loose]
    assert dry.json()["removed"] is False
    with any_server.client() as anyone:
        assert anyone.get(f"/content/v1/images/{loose}").status_code == 200  # a dry run
    recent = hotfix("content", "images", "prune", "--apply", "--json").json()
    assert (recent["unreferenced"], recent["recent"]) == ([], 1)  # within the grace period
    gone = hotfix("content", "images", "prune", "--grace", "0", "--apply", "--json")
    assert gone.code == 0, gone.err
    assert ([i["name"] for i in gone.json()["unreferenced"]], gone.json()["removed"],
            gone.json()["kept"]) == ([loose], True, 1)
    with any_server.client() as anyone:
        assert anyone.get(f"/content/v1/images/{loose}").status_code == 404
        assert anyone.get(f"/content/v1/images/{name}").content == shown
