"""A recording that did not run the suite is refused, nothing saved; failures are noted."""

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
from tests.services.checks import repo_builder as rb

CODE = {"pkg/__init__.py": "", "pkg/calc.py": "def add(a, b):\n    return a + b\n",
        ".gitignore": ".hotfix/\n__pycache__/\n"}
GOOD = "from pkg.calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "v1", {**CODE, **files})
    return root


def _refused(root: Path, match: str) -> HotfixError:
    with pytest.raises(HotfixError, match=match) as caught:
        record_map(Git(root), load_config(root), "HEAD")
    assert covmap.available(root) == []  # nothing saved
    assert caught.value.hint
    return caught.value


def test_a_collection_error_is_refused_with_pytests_words(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", {"tests/test_good.py": GOOD,
                                  "tests/test_broken.py": "import no_such_module_here\n"})
    error = _refused(root, "exited with code 2")
    assert "no_such_module_here" in str(error)  # the tail of pytest's own output
    assert "--collect-only" in (error.hint or "")


def test_collection_errors_are_refused_even_when_pytest_continues(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", {
        "tests/test_good.py": GOOD, "tests/test_broken.py": "import no_such_module_here\n",
        "pytest.ini": "[pytest]\naddopts = --continue-on-collection-errors\n"})
    error = _refused(root, "could not collect tests/test_broken.py")
    assert "no map was saved" in str(error)


def test_a_usage_error_is_refused(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", {"tests/test_good.py": GOOD,
                                  "pytest.ini": "[pytest]\naddopts = --no-such-option\n"})
    error = _refused(root, "exited with code 4")
    assert "addopts" in (error.hint or "")


def test_zero_tests_are_refused(tmp_path: Path) -> None:
    _refused(_repo(tmp_path / "r", {"tests/test_none.py": "X = 1\n"}), "collected no tests")


def test_a_map_with_failing_tests_is_kept_and_says_so_where_it_is_used(tmp_path: Path) -> None:
    bad = "from pkg.calc import add\n\n\ndef test_wrong():\n    assert add(1, 1) == 3\n"
    root = _repo(tmp_path / "r", {"tests/test_good.py": GOOD, "tests/test_bad.py": bad})
    rb.git(root, "tag", "base")
    recorded = record_map(Git(root), load_config(root), "base")
    assert recorded.failed == ("tests/test_bad.py::test_wrong",)
    assert recorded.to_dict()["failed"] == ["tests/test_bad.py::test_wrong"]
    [info] = covmap.available(root)
    assert (info.tests, info.failed) == (2, 1)
    rb.commit(root, "change", {"pkg/calc.py": "def add(a, b):\n    return b + a\n"})
    report = impact(Git(root), load_config(root), clock=SystemClock(), base="base")
    assert report.selection.strategy == "coverage"
    assert "1 of its 2 tests failed while it was recorded" in report.map_note
    assert report.to_dict()["map"]["note"] == report.map_note
