"""The error tree drawn in ``hotfix.errors`` is the real one: every class, each exit code."""

from __future__ import annotations

import importlib
import pkgutil
import re

import hotfix
from hotfix import errors
from hotfix.errors import HotfixError

TREE_ROW = re.compile(r"^[\s│├└─]*(\w+)\s+exit (\d+)", re.M)


def _every_error() -> dict[str, type[HotfixError]]:
    for module in pkgutil.walk_packages(hotfix.__path__, "hotfix."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: dict[str, type[HotfixError]] = {}
    todo = [HotfixError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo += cls.__subclasses__()
    return found


def test_the_docstring_tree_lists_every_error_class_with_its_exit_code() -> None:
    drawn = {name: int(code) for name, code in TREE_ROW.findall(errors.__doc__ or "")}
    real = {name: cls.exit_code for name, cls in _every_error().items()}
    assert drawn == real
