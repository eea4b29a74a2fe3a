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
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SKIP_PARTS = ("PKG-INFO", ".egg-info")


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


def units(path: str, text: str) -> dict[str, Unit]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    lines = text.splitlines(keepends=True)
    out: dict[str, Unit] = {}
    for node in tree.body:
        out.update(_unit(path, node, lines, ""))
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                out.update(_unit(path, sub, lines, node.name + "."))
    return out


def _unit(path: str, node: ast.stmt, lines: list[str], prefix: str) -> dict[str, Unit]:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
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
    for unit, before, after in changed_src:
        short = unit.qualname.split(".")[-1]
        tests = [t for t in changed_tests if short in t.idents]
        if tests and not short.startswith("__"):
            helpers = [after[h] for h in unit.idents if h in after and h not in before]
            fixes.append(Fix(f"{unit.path}:{unit.qualname}", unit, tests, helpers))
    return fixes


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
    return sorted(edits)


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
