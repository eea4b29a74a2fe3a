"""Test selection, pure: source texts and a hand-made coverage map in, tests out."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from hotfix.domain.checks.diffs import FileChange, Hunk
from hotfix.domain.selection.pysource import ModuleInfo, SyntaxProblem, analyse
from hotfix.domain.selection.select import CoverageMap, ImpactRules, Selection, select
from hotfix.domain.selection.static_graph import build_index, closure

PRICING = '''\
"""Prices."""
EU = {"DE", "FR"}


def vat(country):
    if country in EU:
        return 0.2
    return 0.0


def total(amount, country):
    return amount * (1 + vat(country))


def discount(amount, percent):
    return amount * (100 - percent) / 100


class Cart:
    def add(self, item):
        self.items = [item]

    def size(self):
        return 1
'''
UTIL = "def slug(t):\n    return t.lower()\n"
ORDERS = ("from shop.pricing import total\n\n\n"
          "def order_total(xs, c):\n    return sum(total(x, c) for x in xs)\n")
T_PRICING = '''\
from shop.pricing import discount, vat


def test_vat():
    assert vat("DE") == 0.2


def test_discount():
    assert discount(100, 10) == 90
'''
T_ORDERS = '''\
from shop.orders import order_total


class TestOrders:
    def test_sum(self):
        assert order_total([1], "US") == 1
'''
T_UTIL = "from shop.util import slug\n\n\ndef test_slug():\n    assert slug('A') == 'a'\n"
T_CART = "from shop.pricing import Cart\n\n\ndef test_cart(cart):\n    assert cart.size() == 1\n"
CONFTEST = ("import pytest\nfrom shop.pricing import Cart\n\n\n"
            "@pytest.fixture\ndef cart():\n    return Cart()\n")
FILES = {"shop/__init__.py": "", "shop/pricing.py": PRICING, "shop/util.py": UTIL,
         "shop/orders.py": ORDERS, "tests/test_pricing.py": T_PRICING,
         "tests/test_orders.py": T_ORDERS, "tests/test_util.py": T_UTIL,
         "tests/test_cart.py": T_CART, "tests/conftest.py": CONFTEST}
RULES = ImpactRules()
ALL_TESTS = ["tests/test_pricing.py::test_vat", "tests/test_pricing.py::test_discount",
             "tests/test_orders.py::TestOrders::test_sum", "tests/test_util.py::test_slug",
             "tests/test_cart.py::test_cart"]


def modules(files: Mapping[str, str]) -> dict[str, ModuleInfo | SyntaxProblem]:
    return {p: analyse(p, t, is_test=RULES.is_test(p)) for p, t in files.items()}


def edit(path: str, old: int, old_n: int, new: int, new_n: int, status: str = "M") -> FileChange:
    hunk = Hunk(old, old_n, new, new_n)
    return FileChange(path, status, None if status == "A" else path, (hunk,))


def static_select(changes: list[FileChange], after: Mapping[str, str]) -> Selection:
    head = modules(after)
    good = {p: m for p, m in head.items() if isinstance(m, ModuleInfo)}
    bad = [p for p in head if p not in good]
    index = build_index(good, RULES.source_roots, bad, [p for p in good if RULES.is_test(p)])
    return select(changes, RULES, head=head, old=modules(FILES), coverage=None,
                  static=lambda: index)


def test_static_follows_the_changed_function_through_imports() -> None:
    after = {**FILES, "shop/pricing.py": PRICING.replace("0.2\n", "0.21\n", 1)}
    sel = static_select([edit("shop/pricing.py", 7, 1, 7, 1)], after)
    assert sel.strategy == "static"
    assert set(sel.selected) == {"tests/test_pricing.py::test_vat",
                                 "tests/test_orders.py::TestOrders::test_sum"}
    assert sel.reasons["tests/test_pricing.py::test_vat"] == (
        "uses vat from shop/pricing.py: vat changed in shop/pricing.py")
    assert sel.total_tests == 5


def test_static_method_change_reaches_fixture_users() -> None:
    after = {**FILES, "shop/pricing.py": PRICING.replace("return 1\n", "return 2\n")}
    sel = static_select([edit("shop/pricing.py", 24, 1, 24, 1)], after)
    assert sel.selected == ("tests/test_cart.py::test_cart",)


def test_import_closure_is_wider_than_narrowed() -> None:
    head = {p: m for p, m in modules(FILES).items() if isinstance(m, ModuleInfo)}
    index = build_index(head, RULES.source_roots, (), [p for p in head if RULES.is_test(p)])
    wide = closure(index, ["shop/pricing.py"])
    assert set(wide) == set(ALL_TESTS)  # tests/conftest.py imports shop.pricing
    assert wide["tests/test_util.py::test_slug"] == "imports shop/pricing.py via tests/conftest.py"
    assert set(closure(index, ["shop/util.py"])) == {"tests/test_util.py::test_slug"}


def test_syntax_error_is_reported_and_widens_to_importers() -> None:
    after = {**FILES, "shop/util.py": "def slug(t:\n    return t\n"}
    sel = static_select([edit("shop/util.py", 1, 1, 1, 1)], after)
    assert [(p.path, p.line) for p in sel.syntax_errors] == [("shop/util.py", 1)]
    assert sel.selected == ("tests/test_util.py::test_slug",)
    assert "syntax error in shop/util.py line 1" in sel.notes[0]


def test_changed_and_added_tests_come_first() -> None:
    new_test = T_UTIL + "\n\ndef test_slug_space():\n    assert slug('A B') == 'a b'\n"
    after = {**FILES, "tests/test_util.py": new_test,
             "shop/util.py": UTIL.replace("lower()", "lower().strip()")}
    sel = static_select([edit("shop/util.py", 2, 1, 2, 1),
                         edit("tests/test_util.py", 5, 0, 6, 4)], after)
    assert sel.selected[0] == "tests/test_util.py::test_slug_space"
    assert sel.reasons[sel.selected[0]].startswith("changed or added test")
    assert set(sel.selected) == {"tests/test_util.py::test_slug_space",
                                 "tests/test_util.py::test_slug"}


@pytest.mark.parametrize(("path", "expect_all", "note"), [
    ("pyproject.toml", True, "cannot be analysed"),
    ("shop/data.json", True, "no rule in impact.file_rules"),
    ("README.md", False, "no tests"),
])
def test_files_that_are_not_python(path: str, expect_all: bool, note: str) -> None:
    sel = static_select([edit(path, 1, 1, 1, 1)], FILES)
    assert (set(sel.selected) == set(ALL_TESTS)) == expect_all
    assert not expect_all or sel.selected
    assert any(note in n for n in sel.notes)


def test_file_rules_map_globs_to_tests() -> None:
    rules = ImpactRules(file_rules=(("templates/**", ("tests/test_util.py",)),))
    head = modules(FILES)
    index = build_index({p: m for p, m in head.items() if isinstance(m, ModuleInfo)},
                        rules.source_roots, (), [p for p in head if rules.is_test(p)])
    sel = select([edit("templates/a.html", 1, 1, 1, 1)], rules, head=head, old=head,
                 coverage=None, static=lambda: index)
    assert sel.selected == ("tests/test_util.py::test_slug",)


def test_conftest_change_selects_every_test_below_it() -> None:
    after = {**FILES, "tests/conftest.py": CONFTEST + "\n"}
    sel = static_select([edit("tests/conftest.py", 8, 0, 8, 1)], after)
    assert set(sel.selected) == set(ALL_TESTS)
    assert "fixtures of every test under tests/" in sel.notes[0]


# -- with a coverage map -------------------------------------------------------------------
COVER = {"shop/pricing.py": {
    "tests/test_pricing.py::test_vat": frozenset({5, 6, 7}),
    "tests/test_pricing.py::test_discount": frozenset({15}),
    "tests/test_orders.py::TestOrders::test_sum": frozenset({5, 6, 8, 11}),
    "tests/test_cart.py::test_cart": frozenset({23}),
}}
MAP = CoverageMap("abc", tuple(ALL_TESTS), COVER)


def coverage_select(changes: list[FileChange], after: Mapping[str, str],
                    cover: CoverageMap = MAP) -> Selection:
    def static() -> object:
        head = {p: m for p, m in modules(after).items() if isinstance(m, ModuleInfo)}
        return build_index(head, RULES.source_roots, (), [p for p in head if RULES.is_test(p)])

    return select(changes, RULES, head=modules(after), old=modules(FILES), coverage=cover,
                  static=static)  # type: ignore[arg-type]


def test_coverage_selects_the_tests_that_ran_the_changed_line() -> None:
    after = {**FILES, "shop/pricing.py": PRICING.replace("0.2\n", "0.21\n", 1)}
    sel = coverage_select([edit("shop/pricing.py", 7, 1, 7, 1)], after)
    assert sel.strategy == "coverage"
    assert sel.selected == ("tests/test_pricing.py::test_vat",)
    assert sel.reasons[sel.selected[0]] == "runs the changed line shop/pricing.py:7 in vat"


def test_a_line_no_test_ran_selects_the_function_runners() -> None:
    lines = {**COVER["shop/pricing.py"], "tests/test_pricing.py::test_vat": frozenset({5, 6})}
    cover = CoverageMap("abc", tuple(ALL_TESTS), {"shop/pricing.py": lines})
    after = {**FILES, "shop/pricing.py": PRICING.replace("0.2\n", "0.21\n", 1)}
    sel = coverage_select([edit("shop/pricing.py", 7, 1, 7, 1)], after, cover)
    assert set(sel.selected) == {"tests/test_pricing.py::test_vat",
                                 "tests/test_orders.py::TestOrders::test_sum"}
    assert "a line no test ran" in sel.reasons["tests/test_pricing.py::test_vat"]


def test_module_level_change_selects_users_of_the_name() -> None:
    after = {**FILES, "shop/pricing.py": PRICING.replace('"FR"}', '"FR", "ES"}')}
    sel = coverage_select([edit("shop/pricing.py", 2, 1, 2, 1)], after)
    assert set(sel.selected) == {"tests/test_pricing.py::test_vat",
                                 "tests/test_orders.py::TestOrders::test_sum"}


def test_docstring_change_selects_nothing() -> None:
    after = {**FILES, "shop/pricing.py": PRICING.replace("Prices.", "Prices, in euros.")}
    sel = coverage_select([edit("shop/pricing.py", 1, 1, 1, 1)], after)
    assert sel.selected == ()


def test_appending_a_function_does_not_select_its_neighbour() -> None:
    after = {**FILES, "shop/util.py": UTIL + "\n\ndef shout(t):\n    return t.upper()\n"}
    sel = coverage_select([edit("shop/util.py", 2, 0, 3, 4)], after)
    assert sel.selected == ()


def test_a_removed_test_is_not_selected_and_not_counted() -> None:
    kept = T_PRICING.split("\n\ndef test_discount", maxsplit=1)[0] + "\n"
    after = {**FILES, "tests/test_pricing.py": kept}
    sel = coverage_select([edit("tests/test_pricing.py", 8, 3, 7, 0)], after)
    assert "tests/test_pricing.py::test_discount" not in sel.selected
    assert sel.total_tests == 4


def test_unittest_classes_are_tests_whatever_their_name() -> None:
    text = ("import unittest\n\n\nclass IterTests(unittest.TestCase):\n"
            "    def test_a(self):\n        pass\n\n    def helper(self):\n        pass\n")
    info = analyse("tests/test_it.py", text, is_test=True)
    assert isinstance(info, ModuleInfo)
    assert info.tests == ("IterTests::test_a",)
