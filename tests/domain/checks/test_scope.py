"""The scope guard: every rule, named with its file; globs with ``**``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.checks.diffs import FileChange, Hunk
from hotfix.domain.checks.globs import matches
from hotfix.domain.checks.scope import ScopeRules, check_scope


def change(path: str, added: int = 1, deleted: int = 0, status: str = "M",
           old: str | None = None) -> FileChange:
    return FileChange(path, status, old or path, (Hunk(1, deleted, 1, added),))


FIX = [change("shop/pricing.py", 3, 1), change("tests/test_pricing.py", 4)]


def test_a_small_fix_with_its_test_passes() -> None:
    report = check_scope(FIX, ScopeRules())
    assert report.ok
    assert (report.files, report.lines, report.tests_changed) == (2, 8, ("tests/test_pricing.py",))


def test_forbidden_paths_and_kinds_name_rule_and_file() -> None:
    changes = [*FIX, change("checkout/views.py"), change("web/static/cart.js"),
               change("requirements.txt"), change("app/migrations/0002_add.py"),
               change("poetry.lock")]
    found = [(v.rule, v.file) for v in check_scope(changes, ScopeRules()).violations]
    assert found == [
        ("forbidden-path", "checkout/views.py"),
        ("forbidden-kind:custom-logic", "web/static/cart.js"),
        ("forbidden-kind:dependencies", "requirements.txt"),
        ("forbidden-kind:migrations", "app/migrations/0002_add.py"),
        ("forbidden-kind:dependencies", "poetry.lock"),
    ]


def test_a_rename_out_of_a_forbidden_path_is_still_caught() -> None:
    moved = change("shop/pay.py", status="R", old="payments/pay.py")
    found = [(v.rule, v.file) for v in check_scope([*FIX, moved], ScopeRules()).violations]
    assert found == [("forbidden-path", "payments/pay.py")]


def test_size_limits() -> None:
    many = [change(f"shop/m{i}.py", 30) for i in range(11)] + [change("tests/test_x.py")]
    report = check_scope(many, ScopeRules())
    rules = [v.rule for v in report.violations]
    assert rules == ["max-files", "max-lines"]
    assert "12 files" in report.violations[0].message
    assert report.violations[1].file == "shop/m0.py"


def test_a_fix_without_a_test_needs_a_waiver() -> None:
    alone = [change("shop/pricing.py")]
    assert [v.rule for v in check_scope(alone, ScopeRules()).violations] == ["test-required"]
    waived = check_scope(alone, ScopeRules(), test_waiver="config-only change, covered by e2e")
    assert waived.ok
    assert waived.waiver == "config-only change, covered by e2e"
    assert check_scope(alone, ScopeRules(require_test=False)).ok


def test_deleting_a_test_does_not_count_as_adding_one() -> None:
    report = check_scope([change("shop/a.py"), change("tests/test_a.py", status="D")],
                         ScopeRules())
    assert [v.rule for v in report.violations] == ["test-required"]


def test_rules_from_settings() -> None:
    rules = ScopeRules.from_settings({"max_files": 1, "forbidden_paths": ["shop/**"],
                                      "forbidden_kinds": {}, "require_test": False})
    found = [(v.rule, v.file) for v in check_scope(FIX, rules).violations]
    assert found == [("max-files", None), ("forbidden-path", "shop/pricing.py")]


def test_glob_meaning() -> None:
    assert matches("checkout/**", "checkout/a/b.py")
    assert not matches("checkout/**", "shop/checkout/b.py")
    assert matches("**/migrations/**", "a/b/migrations/0001.py")
    assert matches("**/migrations/**", "migrations/0001.py")
    assert matches("*.js", "deep/dir/x.js")
    assert not matches("*.js", "x.json")
    assert matches("tests/*.py", "tests/a.py")
    assert not matches("tests/*.py", "tests/sub/a.py")
    assert matches("requirements*.txt", "requirements-dev.txt")


segment = st.text(alphabet="abcxyz_-", min_size=1, max_size=6)


@given(st.lists(segment, min_size=1, max_size=5))
def test_double_star_matches_any_depth(parts: list[str]) -> None:
    path = "/".join(parts)
    assert matches("**", path)
    assert matches(f"{parts[0]}/**", path) == (len(parts) > 1)
    assert matches(f"**/{parts[-1]}", path)
    assert matches(parts[-1], path)  # no slash: the name at any depth


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=15),
       st.integers(min_value=0, max_value=300))
def test_max_lines_is_exactly_the_sum(sizes: list[int], limit: int) -> None:
    changes = [change(f"shop/f{i}.py", n) for i, n in enumerate(sizes)]
    changes.append(change("tests/test_f.py", 0))
    report = check_scope(changes, ScopeRules(max_files=100, max_lines=limit))
    assert report.lines == sum(sizes)
    assert any(v.rule == "max-lines" for v in report.violations) == (sum(sizes) > limit)
