"""``hotfix policy``, ``hotfix impact`` and ``hotfix check`` end to end, in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke, RecordsAt
from tests.services.checks import repo_builder as rb

pytestmark = pytest.mark.both_modes

DEV, APPROVER = "dana@example.com", "lee@example.com"


def test_policy_exit_codes_and_json(hotfix: Invoke, tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    ok = hotfix("policy", cwd=shop)
    assert ok.code == 0, ok.err
    assert "within scope" in ok.out
    rb.git(shop, "checkout", "-q", "-b", "js", "v1.0.0")
    rb.commit(shop, "js", {"static/cart.js": "x()\n"})
    bad = hotfix("policy", "--json", cwd=shop)
    assert bad.code == 1
    assert [v["rule"] for v in bad.json()["violations"]] == [
        "forbidden-kind:custom-logic", "test-required"]
    waived = hotfix("policy", "--base", "v1.0.0", "--head", "js", "--waive-test", "n/a",
                    cwd=shop)
    assert waived.code == 1
    assert "forbidden-kind:custom-logic static/cart.js" in waived.out
    assert "test-required" not in waived.out


def test_impact_records_a_map_then_selects_with_it(hotfix: Invoke, tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    result = hotfix("impact", "--record", "--json", cwd=shop)
    assert result.code == 0, result.err
    data = result.json()
    assert data["strategy"] == "coverage"
    assert data["recorded"]["tests"] == 9
    assert data["selected"][0] == "tests/test_pricing.py::test_vat_es"
    assert data["total_tests"] == 10
    assert set(data["reasons"]) == set(data["selected"])
    people = hotfix("impact", "--show", "2", cwd=shop)
    assert "strategy coverage" in people.out
    assert "… and 4 more" in people.out


def test_impact_record_refuses_a_broken_suite_and_shows_failures(hotfix: Invoke,
                                                                 tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.git(shop, "checkout", "-q", "-b", "broken", "v1.0.0")
    rb.commit(shop, "broken", {"tests/test_broken.py": "import no_such_module_here\n"})
    refused = hotfix("impact", "--record", "--base", "broken", cwd=shop)
    assert refused.code == 1
    assert "exited with code 2" in refused.err
    assert "no_such_module_here" in refused.err  # pytest's own words
    assert not list((shop / ".hotfix" / "impact").glob("*.sqlite"))
    rb.commit(shop, "failing", {"tests/test_broken.py": "def test_no():\n    assert False\n"})
    rb.git(shop, "tag", "failing")
    rb.commit(shop, "change", {"shop/util.py": rb.UTIL.replace("upper()", "upper( )")})
    kept = hotfix("impact", "--record", "--base", "failing", cwd=shop)
    assert kept.code == 0, kept.err
    assert "failed while recording: tests/test_broken.py::test_no" in kept.out
    assert "1 of its 10 tests failed while it was recorded" in kept.out


def test_check_command_renders_and_records(hotfix: Invoke, tmp_path: Path,
                                           records_at: RecordsAt) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    rb.git(shop, "checkout", "-q", "main")
    rb.configure(shop, f'[approvals]\napprovers = ["{APPROVER}"]\n')
    answers = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
    assert hotfix("open", "VAT for Spain", *answers, "--as", DEV, cwd=shop).code == 0
    assert hotfix("approve", "HF-1", "--as", APPROVER, cwd=shop).code == 0
    records_at(shop).act("HF-1", "start", DEV, {"facts": {"base_tag": "v1.0.0",
                                                          "branch": "hotfix/vat"}})
    shown = hotfix("check", "HF-1", "--as", DEV, cwd=shop)
    assert shown.code == 0, shown.out + shown.err
    assert "targeted: passed" in shown.out
    assert "full: passed — 10 passed, 0 failed" in shown.out
    assert "HF-1 check passed on" in shown.out
    log = hotfix("log", "HF-1", "--json", cwd=shop).json()
    assert [e["kind"] for e in log["events"]][-1] == "check"


def test_a_failed_check_shows_its_cause_on_the_console(hotfix: Invoke, tmp_path: Path,
                                                       records_at: RecordsAt) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.git(shop, "checkout", "-q", "-b", "hotfix/vat", "v1.0.0")
    rb.commit(shop, "fix with a test that cannot import", {
        "shop/pricing.py": rb.PRICING.replace('"IT"}', '"IT", "ES"}'),
        "tests/test_pricing_es.py": "from shop.pricing import vat_table\n\n\n"
                                    "def test_es():\n    assert vat_table()['ES'] == 0.2\n"})
    rb.git(shop, "checkout", "-q", "main")
    answers = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
    assert hotfix("open", "VAT for Spain", *answers, "--as", DEV, cwd=shop).code == 0
    assert hotfix("approve", "HF-1", "--as", APPROVER, cwd=shop).code == 0
    records_at(shop).act("HF-1", "start", DEV, {"facts": {"base_tag": "v1.0.0",
                                                          "branch": "hotfix/vat"}})
    shown = hotfix("check", "HF-1", "--as", DEV, cwd=shop)
    assert shown.code == 1
    out = " ".join(shown.out.split())  # rich wraps long lines
    assert "targeted: failed — 0 passed, 0 failed, 1 errors" in out
    assert ("✗ tests/test_pricing_es.py: collection failure: ImportError: cannot import name "
            "'vat_table' from 'shop.pricing'") in out
    assert "1 file(s) could not be collected (import errors) (exit 4)" in out
    assert "lines of `" in out
    assert "E ImportError: cannot import name 'vat_table' from 'shop.pricing'" in out  # the tail
    assert ("the targeted run failed: 1 file(s) could not be collected (import errors): the "
            "full suite was not run") in out
