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
