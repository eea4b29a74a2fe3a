"""The dashboard's flags page: what each flag serves and its history, as changed over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hotfix.services.flags import changes
from tests.server.flag_clients import BOOL, ENGINEER, close_clients, remote, serve
from tests.server.live import PROJECT, LiveServer, live_server
from tests.server.test_dashboard import browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as live:
        yield live
        close_clients()


def test_each_flag_its_split_rules_kill_switch_and_history(server: LiveServer) -> None:
    with browser(server, "viewer") as page:
        assert "No flags yet" in page.get(f"/ui/p/{PROJECT}/flags").text
    serve(server, "fast-search", BOOL, split=[["on", 30], ["off", 70]],
          rules=[{"attribute": "country", "op": "in", "value": ["NL", "BE"], "variant": "on"}])
    changes.kill(remote(server, "engineer"), ENGINEER, "fast-search", "errors at <3 %>")
    with browser(server, "viewer") as page:
        html = page.get(f"/ui/p/{PROJECT}/flags").text
    assert "<code>fast-search</code>" in html
    assert '<span class="state state-killed">killed</span>' in html
    assert "<strong>kill switch on</strong>: every evaluation gets <code>off</code>" in html
    assert "<td>30 %</td>" in html
    assert "<code>country in [\"NL\", \"BE\"]</code> → on" in html
    assert "errors at &lt;3 %&gt;" in html  # a reason is text, never markup
    assert html.count("<tr><td><time") >= 2  # the set and the kill, at least


def test_flags_history_on_the_cli(server: LiveServer, hotfix: object,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.conftest import Invoke

    assert callable(hotfix)
    run: Invoke = hotfix  # type: ignore[assignment]
    serve(server, "dark-mode", BOOL, default="on")
    monkeypatch.setenv("HOTFIX_SERVER", server.url)
    monkeypatch.setenv("HOTFIX_TOKEN", server.tokens["viewer"])
    shown = run("flags", "history", "dark-mode", "--json")
    assert shown.code == 0, shown.err
    assert [c["action"] for c in shown.json()][-1] == "set"
    assert "by engineer@shop.example: serve it" in run("flags", "history", "dark-mode").out
    missing = run("flags", "history", "nope")
    assert missing.code == 1
    assert "there is no flag 'nope'" in missing.err


def test_a_flag_rollouts_evidence_step_counts_e_values_bounds_and_decision(
        server: LiveServer) -> None:
    from hotfix.domain.judge.settings import JudgeSettings
    from hotfix.domain.judge.users import UserJudge

    serve(server, "new-checkout", BOOL, split=[["on", 0], ["off", 100]])
    records = remote(server, "engineer")
    record = changes.one(records, "new-checkout").record
    assert record is not None
    judge = UserJudge(JudgeSettings(alpha=0.05))
    judge.update_users(seen=(40, 760), failed=(2, 30), share=0.05, slow=(3, 41))
    early = judge.verdict().to_dict()
    for _ in range(6):
        judge.update_users(seen=(100, 300), failed=(30, 10), share=0.25, slow=(7, 20))
    verdict = judge.verdict().to_dict()
    assert verdict["decision"] == "rollback"
    flag = changes.one(records, "new-checkout").served
    assert flag is not None
    records.act(record, "deploy", ENGINEER, {"via": "flag:new-checkout", "canary": "on",
                                             "baseline": "off", "plan": "5 % → 25 % → 100 %"})
    for percent, seen in ((5, early), (25, verdict)):
        records.act(record, "deploy_step", ENGINEER, {"flag": "new-checkout",
            "definition": {**flag.to_dict(), "split": [["on", percent], ["off", 100 - percent]]},
            "weight": percent, "canary": "on", "baseline": "off",
            "requests": {"canary": 900, "baseline": 3100}, "errors": {"canary": 90, "baseline": 30},
            "verdict": {**seen, "reason": seen["reason"] + " <script>alert(1)</script>"}})
    with browser(server, "viewer") as page:
        html = page.get(f"/ui/p/{PROJECT}/flags").text
    assert "Rollout by the judge" in html
    assert "on against off: step at 25 %" in html
    assert "decision <strong>rollback</strong>" in html
    assert "<caption>Evidence per variant (unit: user)</caption>" in html
    counts = verdict["metrics"]["errors"]["counts"]
    assert f"<td>{int(counts['canary_users'])}</td>" in html
    assert f"<td>{int(counts['canary_failed_users'])}</td>" in html
    assert f"<td>{int(counts['baseline_failed_users'])}</td>" in html
    e = verdict["metrics"]["errors"]["e_regression"]
    assert f"{e:.3g} / {verdict['metrics']['errors']['threshold_regression']:g}" in html
    slow = verdict["metrics"]["latency"]  # the users slow, beside the users failing
    assert f"<td>{int(slow['counts']['canary_slow_users'])}</td>" in html
    assert f"<td>{int(slow['counts']['baseline_slow_users'])}</td>" in html
    assert f"{slow['e_regression']:.3g} / {slow['threshold_regression']:g}" in html
    lower = verdict["metrics"]["errors"]["lower"]
    assert f"[{lower:.3g}, " in html
    assert "<svg" in html  # the hotfix page's chart
    assert 'aria-labelledby="canary-' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
