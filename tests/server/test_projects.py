"""One server, several projects: each its own settings, numbers and roles."""

from __future__ import annotations

from pathlib import Path

from hotfix.services.identity.users import add_user
from tests.server.live import ANSWERS, live_server


def test_each_project_has_its_own_numbers_settings_and_roles(tmp_path: Path) -> None:
    blog = tmp_path / "server" / "projects" / "blog"
    blog.mkdir(parents=True)
    (blog / "hotfix.toml").write_text(
        '[records]\nprefix = "BLOG"\n[approvals]\nrequired = { SEV2 = 2 }\n')
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'main.db'}") as live:
        writer = add_user(live.parts.identities, "writer@shop.example", "engineer", "blog",
                          live.parts.clock.now()).secret
        assert sorted(live.settings.projects) == ["blog", "default"]
        assert live.opened("engineer") == "HF-1"
        with live.client(Authorization=f"Bearer {writer}") as c:
            opened = c.post("/api/v1/projects/blog/hotfixes",
                            json={"title": "Typo", "answers": ANSWERS})
            assert opened.status_code == 201, opened.text
            assert opened.json()["id"] == "BLOG-1"
            refused = c.post(live.api(), json={"title": "Not mine"})
            assert refused.status_code == 403
            assert "in default" in refused.json()["detail"]
            project = c.get("/api/v1/projects/blog").json()
            assert project["approvals_required"]["SEV2"] == 2
            assert project["prefix"] == "BLOG"
        with live.client("approver") as c:
            approved = c.post("/api/v1/projects/blog/hotfixes/BLOG-1/approve", json={}).json()
            assert approved["state"] == "triaged"  # the blog needs two approvals
            assert c.get("/api/v1/projects/nowhere/hotfixes").status_code == 404
            assert c.get(live.api("/HF-1")).json()["title"] == "Checkout 500"
    assert (blog / ".hotfix" / "hotfix.db").is_file()
