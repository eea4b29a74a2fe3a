"""``hotfix content`` on the local record (a real git repository, real SQLite): the catalog
read from content/, synced as versions, a change drafted, approved, published, reverted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from hotfix.domain.content.approval import CATALOG_TITLE
from tests.adapters.notify.receivers import Receiver, down_for
from tests.cli.conftest import Invoke

MKT, LEAD, ENG = "mia@shop.example", "lee@shop.example", "eng@shop.example"
ZONES = '[shipping]\npaths = ["/", "/products/*"]\n'
DEADLINE = f'''zone = "shipping"
author = "{ENG}"

[slots.deadline]
type = "date"

[slots.note]
type = "rich_text"
tags = ["p", "strong"]
'''


def write_catalog(repo: Path, zones: str = ZONES, deadline: str = DEADLINE) -> None:
    (repo / "content" / "templates").mkdir(parents=True, exist_ok=True)
    (repo / "content" / "zones.toml").write_text(zones)
    (repo / "content" / "templates" / "shipping-deadline.toml").write_text(deadline)


def synced(hotfix: Invoke) -> None:
    """content/ synced by its author, and its template approved by the lead."""
    assert hotfix("content", "sync", "--as", ENG).code == 0
    approved = hotfix("content", "approve", "shipping-deadline", "--as", LEAD)
    assert approved.code == 0, approved.err


def test_sync_change_approve_publish_revert(hotfix: Invoke, repo: Path) -> None:
    write_catalog(repo)
    synced = hotfix("content", "sync", "--as", ENG, "--json").json()
    assert (synced["version"], synced["created"]) == (1, True)
    assert hotfix("content", "sync", "--as", ENG, "--json").json()["created"] is False
    waiting = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-18",
                     "--set", "note=x", "--as", MKT)
    assert waiting.code == 1
    assert "is not approved" in waiting.err
    own = hotfix("content", "approve", "shipping-deadline", "--as", ENG)
    assert own.code == 1
    assert "is an author of template 'shipping-deadline'" in own.err
    approved = hotfix("content", "approve", "shipping-deadline", "--as", LEAD, "--json")
    assert approved.code == 0, approved.err
    assert (approved.json()["by"], approved.json()["created"]) == (LEAD, True)
    listed = hotfix("content", "templates").out
    assert f"approved by {LEAD}" in listed
    assert approved.json()["digest"][:12] in listed
    made = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-18",
                  "--set", "note=<p>Order <script>x()</script>now</p>", "--as", MKT, "--json")
    assert made.code == 0, made.err
    assert made.json()["draft"]["values"]["note"] == "<p>Order now</p>"
    key = made.json()["id"]
    refused = hotfix("content", "publish", key, "--as", MKT)
    assert refused.code == 1  # not approved yet: the kind asks for an approval
    assert hotfix("approve", key, "--as", LEAD).code == 0
    assert hotfix("content", "publish", key, "--as", MKT, "--json").json()["state"] == (
        "published")
    assert hotfix("content", "show", "shipping", "--json").json()["values"]["deadline"] == (
        "2099-12-18")
    assert hotfix("content", "revert", key, "--as", MKT).code == 0
    assert hotfix("content", "show", "shipping", "--json").json()["record"] is None


def test_bad_input_is_refused_with_what_to_do(hotfix: Invoke, repo: Path) -> None:
    before = hotfix("content", "change", "shipping-deadline", "--as", MKT)
    assert before.code == 1
    assert "hotfix content sync" in before.err
    write_catalog(repo, zones='[banner]\npaths = ["/cart/pay"]\n[shipping]\npaths = ["/"]\n')
    checkout = hotfix("content", "sync", "--as", ENG)
    assert checkout.code == 1
    assert "checkout path" in checkout.err
    write_catalog(repo)
    synced(hotfix)
    wrong = hotfix("content", "change", "shipping-deadline", "--set", "deadline=Dec 20",
                   "--set", "note=x", "--as", MKT)
    assert wrong.code == 2
    assert "slot 'deadline'" in wrong.err
    assert "iso-date" in wrong.err
    assert hotfix("content", "change", "shipping-deadline", "--set", "oops", "--as",
                  MKT).code == 2
    assert [r["title"] for r in hotfix("list", "--json").json()] == [CATALOG_TITLE]


def test_export_writes_each_zone_whole_for_a_static_site(hotfix: Invoke, repo: Path,
                                                          tmp_path: Path) -> None:
    write_catalog(repo, ZONES + '[stock]\npaths = ["/products/*"]\n')
    synced(hotfix)
    key = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-18",
                 "--set", 'note=<p onclick="x()">Order by <strong>Dec 18</strong></p>',
                 "--as", MKT, "--json").json()["id"]
    assert hotfix("approve", key, "--as", LEAD).code == 0
    assert hotfix("content", "publish", key, "--as", MKT).code == 0
    site = tmp_path / "site" / "content"
    done = hotfix("content", "export", str(site), "--json")
    assert done.code == 0, done.err
    assert done.json()["zones"] == {"shipping": key, "stock": None}
    shipping = json.loads((site / "shipping.json").read_text())
    assert shipping == hotfix("content", "show", "shipping", "--json").json()
    html = (site / "shipping.html").read_text()
    assert "2099-12-18" in html
    assert "<strong>Dec 18</strong>" in html
    assert "onclick" not in html
    assert json.loads((site / "stock.json").read_text())["record"] is None
    assert (site / "stock.html").read_text() == ""
    assert sorted(p.name for p in site.iterdir()) == [  # no temporary file left behind
        "shipping.html", "shipping.json", "stock.html", "stock.json"]
    assert hotfix("content", "revert", key, "--as", MKT).code == 0
    again = hotfix("content", "export", str(site))
    assert again.code == 0
    assert "shipping         nothing published" in again.out
    assert json.loads((site / "shipping.json").read_text())["record"] is None
    (site / "gone.json").write_text("{}")
    assert hotfix("content", "export", str(site), "--json").json()["stale"] == ["gone"]
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    refused = hotfix("content", "export", str(not_a_dir))
    assert refused.code != 0
    assert "is not a directory" in refused.err


def test_a_cdn_purge_follows_each_publish_and_revert_through_the_outbox(
        hotfix: Invoke, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cdn = Receiver(down_for(1))  # the CDN's first answer is a 503: retried, not lost
    monkeypatch.setenv("CDN_TOKEN", "s3cret")
    try:
        (repo / "hotfix.toml").write_text(
            f'[notify.channels.cdn]\ntype = "purge"\nurl = "{cdn.url}/purge/{{zone}}"\n'
            'method = "PURGE"\nheader = "Fastly-Key"\ntoken_env = "CDN_TOKEN"\n\n'
            '[[notify.routes]]\non = ["publish", "revert", "expire"]\nto = ["cdn"]\n\n'
            '[notify]\nbackoff_seconds = 0.05\nbackoff_max_seconds = 0.05\n')
        write_catalog(repo)
        synced(hotfix)
        key = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-18",
                     "--set", "note=<p>by</p>", "--as", MKT, "--json").json()["id"]
        assert hotfix("approve", key, "--as", LEAD).code == 0
        assert hotfix("content", "publish", key, "--as", MKT).code == 0
        first = hotfix("notify", "run", "--json").json()
        assert first["delivered"] == 0  # the 503: kept for a retry
        assert cdn.lines == [("PURGE", "/hook/purge/shipping")]
        assert hotfix("content", "revert", key, "--as", MKT).code == 0
        time.sleep(0.2)  # past the retry's backoff
        done = hotfix("notify", "run", "--json").json()
        assert done["delivered"] == 2  # the publish's retry and the revert's
        assert cdn.lines[1:] == [("PURGE", "/hook/purge/shipping")] * 2
        assert all(h["fastly-key"] == "s3cret" for h, _ in cdn.requests)
        assert "s3cret" not in hotfix("log", key, "--json").out
    finally:
        cdn.close()


def test_an_edit_after_approval_needs_a_new_one_and_the_approval_is_tamper_evident(
        hotfix: Invoke, repo: Path) -> None:
    import sqlite3

    write_catalog(repo)
    synced(hotfix)
    write_catalog(repo, deadline=DEADLINE.replace('tags = ["p", "strong"]',
                                                  'tags = ["p", "strong", "em"]'))
    assert hotfix("content", "sync", "--as", ENG).code == 0
    assert "NOT approved" in hotfix("content", "templates").out
    refused = hotfix("content", "change", "shipping-deadline", "--set", "deadline=2099-12-18",
                     "--set", "note=x", "--as", MKT)
    assert refused.code == 1
    assert "hotfix content approve shipping-deadline" in refused.err
    old = hotfix("content", "approve", "shipping-deadline", "--digest", "0" * 12, "--as", LEAD)
    assert old.code == 1
    assert "changed since you looked" in old.err
    again = hotfix("content", "approve", "shipping-deadline", "--as", LEAD, "--json")
    assert again.code == 0, again.err
    key = again.json()["record"]
    assert [e["kind"] for e in hotfix("log", key, "--json").json()["events"]] == [
        "open", "approve_template", "approve_template"]
    assert hotfix("log", key, "--verify").code == 0
    with sqlite3.connect(repo / ".hotfix" / "hotfix.db") as db:
        db.execute("UPDATE events SET actor = ? WHERE seq = 3", (ENG,))
    assert hotfix("log", key, "--verify").code == 1  # who approved cannot be rewritten


def test_a_template_file_that_approves_itself_is_refused(hotfix: Invoke, repo: Path) -> None:
    write_catalog(repo, deadline=f'approved = true\napproved_by = "{LEAD}"\n' + DEADLINE)
    refused = hotfix("content", "sync", "--as", ENG)
    assert refused.code == 1
    assert "hotfix content approve shipping-deadline" in refused.err
    assert "remove approved, approved_by" in refused.err
