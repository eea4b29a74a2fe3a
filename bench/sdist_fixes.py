"""Real fixes from two consecutive PyPI sdists of a project, one per changed function.

A release diff holds several changes. For each function or method whose code changed
between the two versions, and for which the newer version changed or added tests that
mention it, we build one *fix*: the old tree with that function replaced by its new code
(plus any new top-level helpers it calls) and those tests replaced or added. Whether it is
a bug fix with a regression test is decided by running: the tests that fail on the old
code with the new tests are the "fails before the fix" set.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SKIP_PARTS = ("PKG-INFO", ".egg-info")
GENERIC = {"run", "test", "get", "set", "main", "setup", "call", "close", "open", "read"}


@dataclass(frozen=True)
class Unit:
    path: str
    qualname: str
    start: int  # first line, decorators included (1-based)
    end: int
    text: str
    idents: frozenset[str]


@dataclass
class Fix:
    name: str
    source: Unit
    tests: list[Unit] = field(default_factory=list)
    helpers: list[Unit] = field(default_factory=list)


def download(spec: str, into: Path) -> Path:
    """The sdist of ``name==version`` (cached in ``into``)."""
    name, version = spec.split("==")
    for found in into.glob("*.tar.gz"):
        stem = found.name.lower().replace("_", "-")
        if stem == f"{name.lower()}-{version}.tar.gz":
            return found
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["python", "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                    "-q", spec, "-d", str(into)], check=True)
    return download(spec, into)


def unpack(sdist: Path, into: Path) -> Path:
    """The sdist's files in ``into`` (its top folder removed), without packaging metadata."""
    shutil.rmtree(into, ignore_errors=True)
    with tarfile.open(sdist) as tar:
        tar.extractall(into.parent / "_unpack", filter="data")
    top = next((into.parent / "_unpack").iterdir())
    shutil.move(top, into)
    shutil.rmtree(into.parent / "_unpack")
    for path in list(into.rglob("*")):
        if any(part in path.name for part in SKIP_PARTS) and path.exists():
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return into


def units(path: str, text: str, *, classes: bool = False) -> dict[str, Unit]:
    """Functions and methods (and, with ``classes``, whole top-level classes)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    lines = text.splitlines(keepends=True)
    out: dict[str, Unit] = {}
    for node in tree.body:
        out.update(_unit(path, node, lines, "", classes=classes))
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                out.update(_unit(path, sub, lines, node.name + "."))
    return out


def _unit(path: str, node: ast.stmt, lines: list[str], prefix: str, *,
          classes: bool = False) -> dict[str, Unit]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) if classes else (
        ast.FunctionDef, ast.AsyncFunctionDef)
    if not isinstance(node, kinds):
        return {}
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    end = node.end_lineno or node.lineno
    idents = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    idents |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    text = "".join(lines[start - 1:end])
    return {prefix + node.name: Unit(path, prefix + node.name, start, end, text,
                                     frozenset(idents))}


def find_fixes(old: Path, new: Path, is_test: Callable[[str], bool]) -> list[Fix]:
    fixes: list[Fix] = []
    changed_tests: list[Unit] = []
    changed_src: list[tuple[Unit, dict[str, Unit], dict[str, Unit]]] = []
    for new_file in sorted(new.rglob("*.py")):
        rel = new_file.relative_to(new).as_posix()
        old_file = old / rel
        if not old_file.is_file():
            continue
        before = units(rel, old_file.read_text("utf-8", "replace"))
        after = units(rel, new_file.read_text("utf-8", "replace"))
        for name, unit in after.items():
            if name in before and _code(before[name]) == _code(unit):
                continue
            if is_test(rel):
                if unit.qualname.split(".")[-1].startswith("test"):
                    changed_tests.append(unit)
            elif name in before:
                changed_src.append((unit, before, after))
    for unit, _, _ in changed_src:
        short = unit.qualname.split(".")[-1]
        owner = unit.qualname.rpartition(".")[0]
        if short in GENERIC:
            continue
        tests = [t for t in changed_tests if _mentions(t, short)
                 and (not owner or len(short) >= 6 or _mentions(t, owner))]
        if tests and not short.startswith("__"):
            before = units(unit.path, (old / unit.path).read_text("utf-8"), classes=True)
            after = units(unit.path, (new / unit.path).read_text("utf-8"), classes=True)
            helpers = [after[h] for h in sorted(unit.idents) if h in after and h not in before]
            fixes.append(Fix(f"{unit.path}:{unit.qualname}", unit, tests, helpers))
    return fixes


def _mentions(test: Unit, name: str) -> bool:
    """The test names the function, in code or in a string (a template's ``|xmlattr``
    filter is the function ``do_xmlattr``)."""
    bare = name.removeprefix("do_").lstrip("_")
    return name in test.idents or (len(bare) > 3 and re.search(rf"\b{bare}\b", test.text)
                                   is not None)


def _code(unit: Unit) -> str:
    """Source without docstrings or comments, so a docstring edit is not a fix."""
    tree = ast.parse(unit.text.strip() if not unit.text.startswith((" ", "\t")) else
                     "class _X:\n" + unit.text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)):
            body[0] = ast.Pass()
    return ast.dump(tree)


def apply(fix: Fix, old: Path, new: Path, *, tests_only: bool = False) -> list[str]:
    """Edit the checkout at ``old`` in place; returns the paths changed."""
    edits: dict[str, list[Unit]] = {}
    picked = list(fix.tests) if tests_only else [fix.source, *fix.helpers, *fix.tests]
    for unit in picked:
        edits.setdefault(unit.path, []).append(unit)
    for path, chosen in edits.items():
        _edit(old / path, path, chosen)
    for path in {unit.path for unit in fix.tests}:
        used = {i for unit in fix.tests if unit.path == path for i in unit.idents}
        _imports(old / path, new / path, used)
    return sorted(edits)


def _imports(file: Path, newer: Path, used: set[str]) -> None:
    """Import, from the newer test module's imports, the names the fix's tests use and the
    old module does not bind (a test of a new exception imports it)."""
    text = file.read_text("utf-8")
    old_imports = [n for n in ast.parse(text).body if isinstance(n, ast.Import | ast.ImportFrom)]
    bound = {(a.asname or a.name).split(".")[0] for n in old_imports for a in n.names}
    extra: list[str] = []
    for node in ast.parse(newer.read_text("utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                name = a.asname or a.name
                if name in used and name not in bound:
                    alias = f" as {a.asname}" if a.asname else ""
                    extra.append(f"from {'.' * node.level}{node.module} import {a.name}{alias}")
    if extra:
        lines = text.splitlines(keepends=True)
        at = max((n.end_lineno or n.lineno for n in old_imports), default=0)
        lines[at:at] = [line + "\n" for line in extra]
        file.write_text("".join(lines), "utf-8")


def _edit(file: Path, rel: str, chosen: list[Unit]) -> None:
    text = file.read_text("utf-8")
    current = units(rel, text)
    lines = text.splitlines(keepends=True)
    replace = [(current[u.qualname], u) for u in chosen if u.qualname in current]
    for old_unit, unit in sorted(replace, key=lambda p: -p[0].start):
        lines[old_unit.start - 1:old_unit.end] = [unit.text if unit.text.endswith("\n")
                                                  else unit.text + "\n"]
    appended = [u for u in chosen if u.qualname not in current]
    for unit in appended:
        lines = "".join(lines).splitlines(keepends=True)  # replaced units span many lines
        owner = unit.qualname.rpartition(".")[0]
        block = "\n\n" + unit.text + ("" if unit.text.endswith("\n") else "\n")
        if not owner:
            lines.append(block)
            continue
        refreshed = units(rel, "".join(lines))
        members = [u for q, u in refreshed.items() if q.startswith(owner + ".")]
        if members:
            last = max(u.end for u in members)
            lines.insert(last, block)
    file.write_text("".join(lines), "utf-8")
