"""What a Python file defines, imports and refers to: the facts test selection needs.

Pure: source text in, ``ModuleInfo`` out (or a ``SyntaxProblem`` naming the line).

A *block* is a function, a class, a method (one level into classes) or a module-level
statement. Each block knows its lines, the names it binds and every identifier it mentions
(names, attributes, dotted words in string literals such as ``mock.patch("pkg.mod.func")``,
and in test modules and ``conftest.py`` argument names, which pytest resolves to fixtures).
Elsewhere a parameter is a local: ``def __init__(self, load_dotenv=True)`` does not use the
function ``load_dotenv``. Selection matches changed names against those identifiers.
"""

from __future__ import annotations

import ast
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, replace

_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_COMPOUND = (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.AsyncWith, ast.AsyncFor)


@dataclass(frozen=True)
class Block:
    qualname: str  # "f", "C", "C.m", or "<line N>" for a module-level statement
    kind: str  # "function" | "class" | "statement" | "inert" (docstring, pass)
    start: int  # first line, decorators included
    end: int
    body_start: int
    targets: frozenset[str]  # names it binds
    idents: frozenset[str]  # names it mentions (a class: not those of its methods)
    # the idents mentioned only as attributes of imported names (``os.path.join``: join),
    # and those (imported name, attribute) pairs
    only_imported: frozenset[str] = frozenset()
    imported_attrs: frozenset[tuple[str, str]] = frozenset()

    def mentions(self, name: str, foreign: frozenset[str] = frozenset()) -> bool:
        """``name`` is mentioned, other than only as an attribute of a ``foreign`` name (one
        bound by an import from outside the repository: ``os.path.join`` is no ``join``)."""
        if name not in self.idents:
            return False
        if name not in self.only_imported or not foreign:
            return True
        return any(attr == name and owner not in foreign for owner, attr in self.imported_attrs)

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Import:
    module: str  # as written, without the leading dots
    level: int  # 0 absolute, 1 for "from . import", ...
    names: tuple[str, ...]  # imported names for "from M import a, b"; () for "import M"
    bound: tuple[str, ...] = ()  # the names it binds in the importing module


@dataclass(frozen=True)
class ModuleInfo:
    path: str
    blocks: tuple[Block, ...]
    imports: tuple[Import, ...]
    spans: tuple[tuple[int, int], ...]  # every statement's (first, last) line, by first line
    tests: tuple[str, ...]  # pytest node-id tails: "test_x", "TestC::test_y"

    def statement_at(self, line: int) -> int | None:
        """First line of the innermost statement containing ``line`` (None outside all)."""
        i = bisect_right(self.spans, (line, 1 << 30))
        for start, end in reversed(self.spans[:i]):
            if end >= line:
                return start
        return None

    def block_at(self, line: int) -> Block | None:
        """The innermost block containing ``line``: a method before its class."""
        found = self.blocks_at(line)
        return found[0] if found else None

    def blocks_at(self, line: int) -> list[Block]:
        """The innermost blocks containing ``line`` (several for ``from m import a, b``)."""
        found = [b for b in self.blocks if b.start <= line <= b.end]
        first = max((b.start for b in found), default=0)
        return [b for b in found if b.start == first]

    def test_ids(self) -> list[str]:
        return [f"{self.path}::{t}" for t in self.tests]


@dataclass(frozen=True)
class SyntaxProblem:
    path: str
    line: int
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "message": self.message}


def analyse(path: str, text: str, *, is_test: bool = False) -> ModuleInfo | SyntaxProblem:
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 0
        return SyntaxProblem(path, int(line), getattr(exc, "msg", None) or str(exc))
    imports = _imports(tree)
    fixtures = is_test or path.rpartition("/")[2] == "conftest.py"
    blocks = list(_blocks(tree.body, "", frozenset(n for i in imports for n in i.bound),
                          fixtures))
    spans = sorted((n.lineno, n.end_lineno or n.lineno)
                   for n in ast.walk(tree) if isinstance(n, ast.stmt))
    tests = _tests(tree) if is_test else ()
    return ModuleInfo(path, tuple(blocks), tuple(imports), tuple(spans), tests)


def _blocks(body: list[ast.stmt], prefix: str, imported: frozenset[str],
            fixtures: bool) -> list[Block]:
    out: list[Block] = []
    for node in body:
        if isinstance(node, _DEFS):
            out.append(_def_block(node, prefix, imported, fixtures))
            if isinstance(node, ast.ClassDef) and not prefix:
                out.extend(_blocks(node.body, node.name + ".", imported, fixtures))
        elif isinstance(node, _COMPOUND) and not prefix:
            out.append(_header_block(node, imported, fixtures))
            for part in _sub_bodies(node):
                out.extend(_blocks(part, prefix, imported, fixtures))
        elif isinstance(node, ast.Import | ast.ImportFrom) and not prefix:
            out.extend(_import_blocks(node))
        elif not prefix:
            kind = "inert" if _inert(node) else "statement"
            out.append(_block(f"<line {node.lineno}>", kind, node.lineno,
                              node.end_lineno or node.lineno, node.lineno, _bound(node),
                              [node], imported, fixtures))
    return out


def _def_block(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
               prefix: str, imported: frozenset[str], fixtures: bool) -> Block:
    start = min([d.lineno for d in node.decorator_list] + [node.lineno])
    kind = "class" if isinstance(node, ast.ClassDef) else "function"
    own: list[ast.AST] = [node]
    if isinstance(node, ast.ClassDef) and not prefix:
        own = _class_parts(node)
    block = _block(prefix + node.name, kind, start, node.end_lineno or node.lineno,
                   node.body[0].lineno, {node.name}, own, imported, fixtures)
    if fixtures or isinstance(node, ast.ClassDef):
        return block
    args = node.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                               *filter(None, [args.vararg, args.kwarg])]}
    defaults = {n.id for d in [*args.defaults, *filter(None, args.kw_defaults),
                               *node.decorator_list] for n in ast.walk(d)
                if isinstance(n, ast.Name)}
    local = params - defaults  # a bare name that is a parameter is the parameter
    return replace(block, idents=block.idents - (local - _attr_names(node)))


def _attr_names(node: ast.AST) -> frozenset[str]:
    return frozenset(n.attr for n in ast.walk(node)
                     if isinstance(n, ast.Attribute) and not isinstance(n.ctx, ast.Store))


def _class_parts(node: ast.ClassDef) -> list[ast.AST]:
    """What a class mentions itself: its decorators, bases and class-level statements (its
    methods and nested classes are blocks of their own)."""
    return [*node.decorator_list, *node.bases, *node.keywords,
            *(n for n in node.body if not isinstance(n, _DEFS))]


def _block(qualname: str, kind: str, start: int, end: int, body_start: int,
           targets: set[str], nodes: list[ast.AST], imported: frozenset[str],
           fixtures: bool) -> Block:
    idents: set[str] = set()
    bare: set[str] = set()
    attrs: set[tuple[str, str]] = set()
    for node in nodes:
        found, plain, pairs = _mentioned(node, fixtures)
        idents |= found
        bare |= plain
        attrs |= pairs
    via = {(o, a) for o, a in attrs if o in imported}
    only = {a for _, a in via} - bare - {a for o, a in attrs if o not in imported}
    return Block(qualname, kind, start, end, body_start, frozenset(targets),
                 frozenset(map(sys.intern, idents)), frozenset(only),
                 frozenset((o, a) for o, a in via if a in only))


def _header_block(node: ast.stmt, imported: frozenset[str], fixtures: bool) -> Block:
    first_body = min(part[0].lineno for part in _sub_bodies(node) if part)
    end = max(node.lineno, first_body - 1)
    head: list[ast.AST] = [getattr(node, a) for a in ("test", "iter", "target")
                           if getattr(node, a, None) is not None]
    head += [item.context_expr for item in getattr(node, "items", [])]
    return _block(f"<line {node.lineno}>", "statement", node.lineno, end, node.lineno,
                  _bound_targets(getattr(node, "target", None)), head, imported, fixtures)


def _import_blocks(node: ast.Import | ast.ImportFrom) -> list[Block]:
    """One block per imported name: ``from m import a, b`` binds a and b independently."""
    end = node.end_lineno or node.lineno
    source = node.module.split(".") if isinstance(node, ast.ImportFrom) and node.module else []
    return [Block(f"<line {node.lineno}>", "statement", node.lineno, end, node.lineno,
                  frozenset({(a.asname or a.name).split(".")[0]}),
                  frozenset([*a.name.split("."), *source]))
            for a in node.names]


def _inert(node: ast.stmt) -> bool:
    """A docstring, a bare constant or ``pass``: changing it changes no behaviour."""
    return isinstance(node, ast.Pass) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


def _sub_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    parts = [getattr(node, a, []) for a in ("body", "orelse", "finalbody")]
    parts += [h.body for h in getattr(node, "handlers", [])]
    return [p for p in parts if p]


def _mentioned(node: ast.AST, fixtures: bool
               ) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """(every identifier, those not only attributes of a name, the (name, attribute) pairs);
    ``fixtures``: argument names count (pytest passes fixtures by name)."""
    bare: set[str] = set()
    attrs: set[tuple[str, str]] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            bare.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            if isinstance(sub.ctx, ast.Store):
                continue  # ``self.load_dotenv = …`` binds an attribute, uses no name
            root = _root_name(sub.value)
            if root is None:
                bare.add(sub.attr)
            else:
                attrs.add((root, sub.attr))
        elif isinstance(sub, ast.arg) and fixtures:
            bare.add(sub.arg)
        elif isinstance(sub, ast.alias):
            bare.update(sub.name.split("."))
        elif (isinstance(sub, ast.Constant) and isinstance(sub.value, str)
              and len(sub.value) < 200 and _WORDS.match(sub.value)):
            bare.update(sub.value.split("."))
    return bare | {a for _, a in attrs}, bare, attrs


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _bound(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    return {n for t in targets for n in _bound_targets(t)}


def _bound_targets(target: ast.AST | None) -> set[str]:
    if target is None:
        return set()
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _imports(tree: ast.Module) -> list[Import]:
    out: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(Import(a.name, 0, (), ((a.asname or a.name).split(".")[0],))
                       for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            out.append(Import(node.module or "", node.level, tuple(a.name for a in node.names),
                              tuple(a.asname or a.name for a in node.names)))
    return out


def _tests(tree: ast.Module) -> tuple[str, ...]:
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"):
            out.append(node.name)
        elif isinstance(node, ast.ClassDef) and (node.name.startswith("Test")
                                                 or _unittest_case(node)):
            out.extend(f"{node.name}::{m.name}" for m in node.body
                       if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)
                       and m.name.startswith("test"))
    return tuple(out)


def _unittest_case(node: ast.ClassDef) -> bool:
    """A ``unittest.TestCase`` subclass: pytest collects it whatever its name."""
    names = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
             if isinstance(b, ast.Name | ast.Attribute)}
    return any(n.endswith("TestCase") for n in names)
