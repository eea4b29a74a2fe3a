"""Impact precision on real git repositories: definition-time code, methods, test classes,
attributes of other modules, parametrised ids, and the parse cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.repo import Git
from hotfix.adapters.testing import parse_cache
from hotfix.config import load_config
from hotfix.domain.selection.select import Selection
from hotfix.services.checks.coverage_map import record_map
from hotfix.services.checks.impact import impact
from tests.services.checks import repo_builder as rb

REGISTRY = '''\
HANDLERS = {}


def register(name, *, times=1):
    def deco(fn):
        HANDLERS[name] = fn
        return fn
    return deco


@register("greet", times=1)
def greet(who, punct="!"):
    return "hi " + who + punct


class Limits:
    MAX = 3

    def __init__(self, n):
        self.n = n

    def fits(self):
        return self.n <= self.MAX

    def twice(self):
        return self.n * 2
'''
TEST_REGISTRY = '''\
import os

import pytest

from app.registry import HANDLERS, Limits, greet


def test_registered():
    assert HANDLERS["greet"] is greet  # runs no line of greet


def test_max():
    assert Limits.MAX == 3  # runs no method


def test_fits():
    assert Limits(2).fits()


def test_twice():
    assert Limits(2).twice() == 4


def test_join():
    assert os.path.join("a", "b") == "a/b"


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n > 0


class TestLimits:
    def setup_method(self):
        self.five = 5

    def test_fits_too(self):
        assert not Limits(self.five).fits()

    def test_twice_too(self):
        assert Limits(1).twice() == 2
'''
TEST_PATHS = """\
import os.path

from app.paths import join


def test_mine():
    assert join("a", "b") == "a/b"


def test_theirs():
    assert os.path.join("a", "b") == "a/b"
"""
TEST_OTHER = "def test_other():\n    assert True\n"
FILES = {"app/__init__.py": "", "app/registry.py": REGISTRY,
         "app/paths.py": "def join(*parts):\n    return '/'.join(parts)\n",
         "tests/test_registry.py": TEST_REGISTRY, "tests/test_other.py": TEST_OTHER,
         "tests/test_paths.py": TEST_PATHS,
         ".gitignore": ".hotfix/\n__pycache__/\n"}
T = "tests/test_registry.py::"


def _repo(root: Path) -> Path:
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "v1", FILES)
    rb.git(root, "tag", "base")
    return root


def _based(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository of ``files`` committed and tagged ``base``."""
    root = tmp_path / "r"
    root.mkdir()
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "v1", {**files, ".gitignore": ".hotfix/\n__pycache__/\n"})
    rb.git(root, "tag", "base")
    return root


def _change(root: Path, path: str, old: str, new: str) -> None:
    text = FILES[path]
    assert old in text
    rb.commit(root, f"change {path}", {path: text.replace(old, new)})


def _select(root: Path) -> Selection:
    return impact(Git(root), load_config(root), clock=SystemClock(), base="base").selection


def _names(selected: Sequence[str]) -> set[str]:
    return {t.removeprefix(T) for t in selected}


def test_a_decorator_argument_selects_who_imports_the_decorated_name(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    record_map(Git(root), load_config(root), "base")
    _change(root, "app/registry.py", '@register("greet", times=1)', '@register("hello", times=1)')
    sel = _select(root)
    assert sel.strategy == "coverage"
    assert "test_registered" in _names(sel.selected)
    assert "tests/test_other.py::test_other" not in sel.selected


def test_a_default_value_and_a_class_attribute_are_definition_time(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    record_map(Git(root), load_config(root), "base")
    rb.git(root, "checkout", "-q", "-b", "default", "base")
    _change(root, "app/registry.py", 'punct="!"', 'punct="?"')
    assert "test_registered" in _names(_select(root).selected)
    rb.git(root, "checkout", "-q", "-b", "attr", "base")
    _change(root, "app/registry.py", "MAX = 3", "MAX = 4")
    chosen = _names(_select(root).selected)
    assert {"test_max", "test_fits", "TestLimits::test_fits_too"} <= chosen
    assert "tests/test_other.py::test_other" not in chosen


def test_a_changed_method_selects_its_callers_not_its_whole_class(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    _change(root, "app/registry.py", "return self.n * 2", "return self.n + self.n")
    sel = _select(root)
    assert sel.strategy == "static"
    assert _names(sel.selected) == {"test_twice", "TestLimits::test_twice_too"}


def test_a_special_method_selects_the_users_of_its_class(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    _change(root, "app/registry.py", "self.n = n", "self.n = int(n)")
    assert _names(_select(root).selected) == {
        "test_max", "test_fits", "test_twice", "TestLimits::test_fits_too",
        "TestLimits::test_twice_too"}  # every test that mentions Limits, no other


def test_an_attribute_of_another_library_is_not_our_name(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    _change(root, "app/paths.py", "'/'.join(parts)", "'/'.join(map(str, parts))")
    assert _select(root).selected == ("tests/test_paths.py::test_mine",)  # not os.path.join


def test_a_test_class_is_selected_per_method_and_its_setup_serves_all(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    rb.git(root, "checkout", "-q", "-b", "one", "base")
    _change(root, "tests/test_registry.py", "Limits(1).twice() == 2", "Limits(1).twice() != 3")
    assert _names(_select(root).selected) == {"TestLimits::test_twice_too"}
    rb.git(root, "checkout", "-q", "-b", "setup", "base")
    _change(root, "tests/test_registry.py", "self.five = 5", "self.five = 6")
    assert _names(_select(root).selected) == {"TestLimits::test_fits_too",
                                              "TestLimits::test_twice_too"}


def test_parametrised_tests_keep_pytests_ids(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    record_map(Git(root), load_config(root), "base")
    _change(root, "tests/test_registry.py", "assert n > 0", "assert n >= 1")
    assert _names(_select(root).selected) == {"test_param[1]", "test_param[2]"}


class _Counting(Git):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.read: list[str] = []

    def read_blobs(self, ids: Sequence[str]) -> list[str | None]:
        self.read.extend(ids)
        return super().read_blobs(ids)


def test_parse_results_are_cached_by_blob_id(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r")
    _change(root, "app/paths.py", "'/'.join(parts)", "'/'.join(map(str, parts))")
    cold, warm = _Counting(root), _Counting(root)
    first = impact(cold, load_config(root), clock=SystemClock(), base="base").selection
    blobs = set(cold.python_files("HEAD").values()) | {
        rb.git(root, "rev-parse", "base:app/paths.py")}  # and the changed file's old version
    assert sorted(cold.read) == sorted(blobs)  # each blob read and parsed once
    assert parse_cache.cache_path(root).is_file()
    again = impact(warm, load_config(root), clock=SystemClock(), base="base").selection
    assert warm.read == []
    assert again.selected == first.selected
    _change(root, "app/paths.py", "'/'.join(parts)", "'-'.join(parts)")
    after = _Counting(root)
    impact(after, load_config(root), clock=SystemClock(), base="base")
    assert after.read == [rb.git(root, "rev-parse", "HEAD:app/paths.py")]  # only the new blob


def test_a_deleted_line_is_told_by_the_old_side_not_its_neighbours(tmp_path: Path) -> None:
    compat = ("import sys\n\nif sys.version_info >= (3,):\n    A = 1\n    B = 2\n"
              "else:\n    A = 0\n    B = 0\n")
    tests = {"tests/test_a.py": "from pkg.compat import A\n\n\ndef test_a():\n    assert A\n",
             "tests/test_b.py": "from pkg.compat import B\n\n\ndef test_b():\n    assert B\n"}
    root = _based(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": compat, **tests})
    rb.commit(root, "drop B", {"pkg/compat.py": compat.replace("    B = 2\n", "")})
    assert _select(root).selected == ("tests/test_b.py::test_b",)  # not test_a


def test_a_name_imported_from_elsewhere_is_not_the_changed_one(tmp_path: Path) -> None:
    root = _based(tmp_path, {
        "pkg/__init__.py": "", "pkg/a.py": "def helper():\n    return 1\n",
        "pkg/b.py": "def helper():\n    return 2\n",
        "pkg/uses.py": "from pkg.a import helper as _unused\nfrom pkg.b import helper\n\n\n"
                       "def both():\n    return helper() + _unused()\n",
        "tests/test_a.py": "from pkg.a import helper\n\n\ndef test_a():\n    assert helper()\n",
        "tests/test_b.py": "import pkg.a\nfrom pkg.b import helper\n\n\n"
                           "def test_b():\n    assert helper() == 2\n"})
    rb.commit(root, "change a", {"pkg/a.py": "def helper():\n    return 10\n"})
    assert _select(root).selected == ("tests/test_a.py::test_a",)  # test_b's helper is b's


def test_a_name_a_package_re_exports_with_a_star_import_is_followed(tmp_path: Path) -> None:
    """pyparsing's tests call ``pp.match_previous_expr``, which ``pyparsing/__init__.py``
    takes from ``helpers.py`` with ``from .helpers import *``: a change to it selects them."""
    root = _based(tmp_path, {
        "pkg/__init__.py": "from .core import *\nfrom .helpers import *\n",
        "pkg/core.py": "def word():\n    return 'w'\n",
        "pkg/helpers.py": "def match_previous(x):\n    return x\n\n\ndef other():\n    return 0\n",
        "tests/test_unit.py": "import pkg as pp\n\n\nclass TestUnit:\n"
                              "    def test_repeater(self):\n"
                              "        assert pp.match_previous(1) == 1\n\n"
                              "    def test_word(self):\n        assert pp.word() == 'w'\n",
        "tests/test_other.py": "from pkg import other\n\n\ndef test_other():\n"
                               "    assert other() == 0\n"})
    rb.commit(root, "change match_previous",
              {"pkg/helpers.py": "def match_previous(x):\n    return [x]\n\n\n"
                                 "def other():\n    return 0\n"})
    assert _select(root).selected == ("tests/test_unit.py::TestUnit::test_repeater",)


def test_a_parameter_or_an_attribute_store_named_like_a_function_is_no_use_of_it(
        tmp_path: Path) -> None:
    """flask's ``FlaskGroup.__init__(self, load_dotenv=True)`` does
    ``self.load_dotenv = load_dotenv``: neither uses the function ``load_dotenv``, so a
    change to that function must not reach every test through the class (it selected
    326 of 365 tests); the callers of the function are still selected."""
    cli = ("def load_dotenv(path=None):\n    return path is not None\n\n\n"
           "class Group:\n    def __init__(self, load_dotenv=True):\n"
           "        self.load_dotenv = load_dotenv\n\n"
           "    def main(self):\n        if self.load_dotenv:\n            load_dotenv()\n"
           "        return 0\n")
    root = _based(tmp_path, {
        "pkg/__init__.py": "", "pkg/cli.py": cli,
        "tests/test_group.py": "from pkg.cli import Group\n\n\ndef test_group():\n"
                               "    assert isinstance(Group(load_dotenv=False), Group)\n",
        "tests/test_main.py": "from pkg.cli import Group\n\n\ndef test_main():\n"
                              "    assert Group().main() == 0\n",
        "tests/test_dotenv.py": "from pkg.cli import load_dotenv\n\n\ndef test_dotenv():\n"
                                "    assert not load_dotenv()\n"})
    rb.commit(root, "change load_dotenv",
              {"pkg/cli.py": cli.replace("return path is not None", "return bool(path)")})
    assert _select(root).selected == ("tests/test_dotenv.py::test_dotenv",
                                      "tests/test_main.py::test_main")
