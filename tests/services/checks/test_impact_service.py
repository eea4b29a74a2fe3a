"""Impact analysis on real git repositories, with coverage maps recorded by real pytest runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.repo import Git
from hotfix.adapters.testing import covmap
from hotfix.config import load_config
from hotfix.errors import HotfixError
from hotfix.services.checks.coverage_map import record_map
from hotfix.services.checks.impact import impact
from hotfix.services.checks.policy import Range, policy
from tests.services.checks import repo_builder as rb

VAT_TESTS = {"tests/test_pricing.py::test_vat_es", "tests/test_pricing.py::test_vat_de",
             "tests/test_pricing.py::test_vat_us", "tests/test_pricing.py::test_total",
             "tests/test_orders.py::TestOrders::test_sum",
             "tests/test_orders.py::TestOrders::test_sum_eu"}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return rb.shop_repo(tmp_path / "shop")


def test_static_selection_without_a_map(shop: Path) -> None:
    rb.fix_vat(shop)
    report = impact(Git(shop), load_config(shop), clock=SystemClock())
    sel = report.selection
    assert sel.strategy == "static"
    assert set(sel.selected) == VAT_TESTS
    assert sel.selected[0] == "tests/test_pricing.py::test_vat_es"  # the new test first
    assert sel.total_tests == 10
    assert "record one with `hotfix impact --record`" in report.map_note
    assert report.range.base == "v1.0.0"


def test_recorded_map_gives_per_test_selection(shop: Path) -> None:
    cfg = load_config(shop)
    recorded = record_map(Git(shop), cfg, "v1.0.0")
    assert recorded.tests == 9
    assert covmap.map_path(shop, recorded.commit).is_file()
    loaded = covmap.load(covmap.map_path(shop, recorded.commit), ["shop/pricing.py"])
    vat_de = loaded.files["shop/pricing.py"]["tests/test_pricing.py::test_vat_de"]
    assert {8, 9} <= vat_de  # vat()'s body ran under the test's own context
    assert 18 not in vat_de  # discount() did not

    rb.git(shop, "checkout", "-q", "-b", "fix/discount", "v1.0.0")
    rb.commit(shop, "fix: allow 50%", {"shop/pricing.py": rb.PRICING.replace(
        "percent > 50", "percent >= 50")})
    report = impact(Git(shop), cfg, clock=SystemClock())
    assert report.selection.strategy == "coverage"
    assert report.selection.selected == ("tests/test_pricing.py::test_discount",
                                         "tests/test_pricing.py::test_discount_too_much")
    assert report.selection.reasons["tests/test_pricing.py::test_discount"] == (
        "runs the changed line shop/pricing.py:18 in discount")


def test_record_first_records_on_the_base_then_selects_with_that_map(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "fix/discount", "v1.0.0")
    rb.commit(shop, "fix: allow 50%", {"shop/pricing.py": rb.PRICING.replace(
        "percent > 50", "percent >= 50")})
    told: list[Range] = []
    report = impact(Git(shop), load_config(shop), clock=SystemClock(), record=True,
                    on_recording=told.append)
    assert [found.base for found in told] == ["v1.0.0"]
    assert report.recorded is not None
    assert report.recorded.commit == told[0].base_sha == report.map_commit
    assert report.to_dict()["recorded"] == report.recorded.to_dict()
    assert report.selection.strategy == "coverage"
    assert "recorded" not in impact(Git(shop), load_config(shop), clock=SystemClock()).to_dict()


def test_a_map_from_another_commit_is_used_with_the_diff_and_says_so(shop: Path) -> None:
    cfg = load_config(shop)
    record_map(Git(shop), cfg, "v1.0.0")
    rb.commit(shop, "main moves on", {"shop/util.py": rb.UTIL + "\n\nX = 1\n"})
    rb.git(shop, "tag", "v1.1.0")
    rb.commit(shop, "fix slug", {"shop/util.py": rb.UTIL.replace("lower()", "lower().strip()")
                                 + "\n\nX = 1\n"})
    report = impact(Git(shop), cfg, clock=SystemClock())
    assert report.range.base == "v1.1.0"
    assert report.selection.strategy == "coverage"
    assert "used the map recorded on" in report.map_note
    assert "1 files differ from the base" in report.map_note
    assert report.selection.selected == ("tests/test_util.py::test_slug",)


def test_syntax_error_in_the_change_is_reported_not_a_crash(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "broken", "v1.0.0")
    rb.commit(shop, "oops", {"shop/util.py": "def slug(text:\n    return text\n"})
    sel = impact(Git(shop), load_config(shop), clock=SystemClock()).selection
    assert [(p.path, p.line) for p in sel.syntax_errors] == [("shop/util.py", 1)]
    assert set(sel.selected) == {"tests/test_util.py::test_slug",
                                 "tests/test_util.py::test_shout"}


def test_unanalysable_changes_widen_and_say_why(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "deps", "v1.0.0")
    rb.commit(shop, "deps", {"requirements.txt": "requests\n", "tests/conftest.py": "X = 1\n"})
    sel = impact(Git(shop), load_config(shop), clock=SystemClock()).selection
    assert len(sel.selected) == sel.total_tests == 9
    assert any("requirements.txt changed" in n for n in sel.notes)
    assert any("tests/conftest.py changed" in n for n in sel.notes)


def test_recording_a_project_without_tests_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "code only", {"pkg/__init__.py": "X = 1\n"})
    with pytest.raises(HotfixError, match="no tests ran"):
        record_map(Git(root), load_config(root), "HEAD")


def test_policy_refuses_a_forbidden_path_naming_the_rule(shop: Path) -> None:
    rb.git(shop, "checkout", "-q", "-b", "bad", "v1.0.0")
    rb.commit(shop, "touch payments", {"payments/card.py": "LIMIT = 1\n",
                                      "tests/test_card.py": "def test_x():\n    pass\n"})
    result = policy(Git(shop), load_config(shop))
    assert [(v.rule, v.file) for v in result.report.violations] == [
        ("forbidden-path", "payments/card.py")]
    assert result.range.base == "v1.0.0"
