"""``hotfix demo --scenario content``: the shop (a real HTTP server) reads its banner from
the team server's content endpoint once an approver approved its templates; a marketer's
Dec 20 shows within seconds, a revert
brings Dec 18 back, and a checkout change and a pasted script are refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import run_demo

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_deadline_moves_live_reverts_and_the_refusals_say_why(tmp_path: Path) -> None:
    steps = run_demo(tmp_path, "--scenario", "content", shipped=lambda _: True)
    lines = [" | ".join([s["title"], *s["lines"]]) for s in steps]
    shown = [line for line in lines if "the shop shows:" in line]
    assert [("Dec 18" in line, "Dec 20" in line) for line in shown] == [
        (True, False), (False, True), (True, False)]
    assert "12 left in stock" in shown[0]
    approving = lines[1]
    assert "none usable yet" in approving
    assert "(their author, an engineer) approving stock-level: refused (403)" in approving
    assert "hotfix content approve shipping-deadline and stock-level" in approving
    assert "reverted; the zone shows HF-2 again" in lines[4]  # HF-1: the approvals' record
    refused = [s for s in steps if s["refused"]]
    assert [s["title"].split(": ", 1)[1] for s in refused] == [
        "change the checkout button's text to 'Buy now!'",
        "the banner's message with a pasted <script>"]
    checkout, script = (" ".join(s["lines"]) for s in refused)
    assert "refused (404): there is no content template 'checkout-button'" in checkout
    assert "code hotfix" in checkout
    assert "refused (403)" in checkout
    assert "a checkout path" in checkout
    assert "refused (422): slot 'message'" in script
    assert "markup" in script
    assert "still shows: Order by Dec 18" in script
