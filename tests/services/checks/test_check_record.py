"""``hotfix check`` on the record: the result lands on the timeline, and the release guard
accepts only a passing check of the exact commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.domain.record.lifecycle import plan
from hotfix.errors import GuardRefused
from hotfix.services.checks.check import check
from hotfix.services.context import Context
from hotfix.wiring import open_context
from tests.services.checks import repo_builder as rb

DEV, APPROVER = "dana@example.com", "lee@example.com"
ANSWERS = {"significant": True, "users_affected": 0.6, "workaround": False}


def started(tmp_path: Path, branch: str, files: dict[str, str]) -> tuple[Context, str]:
    root = rb.shop_repo(tmp_path / "shop")
    rb.git(root, "checkout", "-q", "-b", branch, "v1.0.0")
    rb.commit(root, "the fix", files)
    rb.git(root, "checkout", "-q", "main")
    rb.configure(root, f'[approvals]\napprovers = ["{APPROVER}"]\n')
    ctx = open_context(root, {})
    key = ctx.records.open("VAT wrong for Spain", DEV, ANSWERS).key
    ctx.records.act(key, "approve", APPROVER, {})
    ctx.records.act(key, "start", DEV, {"facts": {"base_tag": "v1.0.0", "branch": branch}})
    return ctx, key


def test_a_passing_check_is_recorded_and_opens_the_release_guard(tmp_path: Path) -> None:
    fix = {"shop/pricing.py": rb.PRICING.replace('"IT"}', '"IT", "ES"}'),
           "tests/test_pricing.py": rb.TEST_PRICING + "\n\ndef test_es():\n"
                                    "    assert vat('ES') == 0.2\n"}
    ctx, key = started(tmp_path, "hotfix/vat", fix)
    try:
        outcome, rec = check(ctx, key, DEV)
        head = rb.git(ctx.root, "rev-parse", "hotfix/vat")
        assert outcome.passed
        assert rec.state.value == "tested"
        last = rec.last("check")
        assert last is not None
        assert (last["passed"], last["commit"], last["base"]) == (True, head, "v1.0.0")
        assert [r["stage"] for r in last["runs"]] == ["targeted", "full"]
        assert last["impact"]["strategy"] == "static"
        assert plan(rec, "release", DEV, {"commit": head}, [APPROVER]) is None
        assert plan(rec, "release", DEV, {"commit": "0" * 40}, [APPROVER]) is not None
    finally:
        ctx.close()


def test_a_forbidden_path_is_refused_and_recorded_then_overridden(tmp_path: Path) -> None:
    fix = {"checkout/rules.py": "EU = {'ES'}\n", "tests/test_rules.py": "def test_r():\n    pass\n"}
    ctx, key = started(tmp_path, "hotfix/checkout", fix)
    try:
        outcome, rec = check(ctx, key, DEV)
        assert outcome.blocked
        assert rec.state.value == "in_progress"
        last = rec.last("check")
        assert last is not None
        assert last["passed"] is False
        assert [(v["rule"], v["file"]) for v in last["scope"]["violations"]] == [
            ("forbidden-path", "checkout/rules.py")]

        with pytest.raises(GuardRefused, match="only approvers"):
            check(ctx, key, DEV, override="it is urgent")
        outcome, rec = check(ctx, key, APPROVER, override="EU checkout outage, CFO agreed")
        assert outcome.passed
        last = rec.last("check")
        assert last is not None
        assert last["scope_override"] == {"by": APPROVER,
                                          "reason": "EU checkout outage, CFO agreed"}
        assert "override" not in last  # a scope override is not a lifecycle override
    finally:
        ctx.close()


def test_check_before_start_says_what_to_do(tmp_path: Path) -> None:
    root = rb.shop_repo(tmp_path / "shop")
    ctx = open_context(root, {})
    try:
        key = ctx.records.open("bug", DEV, ANSWERS).key
        with pytest.raises(GuardRefused, match="no hotfix branch yet"):
            check(ctx, key, DEV)
    finally:
        ctx.close()
