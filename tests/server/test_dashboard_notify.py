"""The dashboard's notifications page: the outbox of a project, dead letters first."""

from __future__ import annotations

from pathlib import Path

from tests.server.live import PROJECT, live_server
from tests.server.test_dashboard import browser
from tests.server.test_jobs import ENV, _toml, _until


def test_dead_letters_and_waiting_notices_are_shown(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    with (live_server(tmp_path / "plain", url.replace("server.db", "plain.db")) as plain,
          browser(plain, "viewer") as page):
        assert "sends no notifications" in page.get(f"/ui/p/{PROJECT}/notifications").text
    toml = _toml("http://127.0.0.1:9/hook", '["open"]') + "\n[notify]\nmax_attempts = 1\n"
    with live_server(tmp_path / "server", url, toml, ENV) as server:
        key = server.opened("engineer")
        outbox = server.parts.notify[PROJECT].adapters.outbox
        _until("a dead letter", lambda: any(m.state == "dead" for m in outbox.messages()))
        with browser(server, "viewer") as page:
            html = page.get(f"/ui/p/{PROJECT}/notifications").text
    assert "<strong>1 dead letter(s)</strong>" in html
    assert f'<a href="/ui/p/{PROJECT}/hotfixes/{key}">{key}</a>' in html
    assert "<code>hotfix notify retry</code>" in html
