"""The audit of the release lines, published by the team's CI (``hotfix audit --publish``)
and read on the team server: API and dashboard."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.server.live import PROJECT, LiveServer
from tests.server.test_dashboard import browser

AUDIT = f"/api/v1/projects/{PROJECT}/audit"
BODY = {"commit": "a" * 40, "lines": [{"line": "1.0", "commits": [
    {"sha": "b" * 40, "subject": "Fix the <b>VAT</b>", "status": "missing", "match": None},
    {"sha": "c" * 40, "subject": "Release 1.0.1", "status": "release_only", "match": None},
    {"sha": "d" * 40, "subject": "Fix search", "status": "in_mainline",
     "match": {"sha": "e" * 40, "by": "trailer"}}]}]}


def test_published_by_an_engineer_read_by_anyone_on_the_project(server: LiveServer) -> None:
    with server.client("viewer") as c:
        none = c.get(AUDIT)
        assert none.status_code == 404
        assert none.json()["hint"].endswith("hotfix audit --publish")
    with server.client("engineer") as c:
        made = c.post(AUDIT, json=BODY)
    assert made.status_code == 201, made.text
    assert (made.json()["missing"], made.json()["published_by"]) == (1, "engineer@shop.example")
    with server.client("viewer") as c:
        got = c.get(AUDIT).json()
        bad = c.post(AUDIT, json=BODY)
    assert got["lines"] == BODY["lines"]
    assert got["commit"] == "a" * 40
    assert bad.status_code == 403
    with server.client("engineer") as c:
        for wrong in ({**BODY, "commit": "HEAD"},
                      {**BODY, "lines": [{"line": "1.0", "commits": [
                          {"sha": "b" * 40, "subject": "x", "status": "lost"}]}]}):
            assert c.post(AUDIT, json=wrong).status_code == 422
    with browser(server, "viewer") as page:
        html = page.get(f"/ui/p/{PROJECT}/audit").text
    assert "<strong>1 commit(s) missing</strong>" in html
    assert "Fix the &lt;b&gt;VAT&lt;/b&gt;" in html  # escaped, never markup


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_hotfix_audit_publish_from_a_real_repository(
        hotfix: Invoke, repo: Path, server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release 1.0.0")
    git(repo, "checkout", "-q", "-b", "release/1.0")
    (repo / "vat.py").write_text("RATE = 0.2\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Fix the VAT rate")
    fix = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    local = hotfix("audit", "--publish")
    assert local.code == 2
    assert "sign in first: hotfix login URL" in local.err
    monkeypatch.setenv("HOTFIX_SERVER", server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", server.tokens["engineer"])
    done = hotfix("audit", "--publish", "--json")
    assert done.code == 1  # a fix is missing from the mainline: the gate fails, and says so
    assert f"audit 1 at {git(repo, 'rev-parse', 'main')[:12]}, 1 missing" in done.err
    with server.client("viewer") as c:
        got = c.get(AUDIT).json()
    assert [(c["sha"], c["status"]) for c in got["lines"][0]["commits"]] == [(fix, "missing")]
    with browser(server, "viewer") as page:
        html = page.get(f"/ui/p/{PROJECT}/audit").text
    assert f"<code>{fix[:12]}</code> Fix the VAT rate" in html
