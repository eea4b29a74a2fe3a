"""Static test selection: the Python import graph, narrowed by the names a change touches.

``build_index`` resolves every module's imports to files of the repository (under the
configured source roots, relative imports, and the importing file's own directory as pytest
puts test directories on ``sys.path``). A test module also "imports" the ``conftest.py``
files above it.

``narrowed`` follows changed names through the graph: a block (function, class, method,
module-level statement) in a module that imports an affected module and mentions an
affected name becomes affected itself; a test block reached this way is selected; a module
that re-exports another with ``from M import *`` (a package's ``__init__``) takes on M's
affected names, so ``pkg.name`` in a test reaches the change. A name
``*`` marks a whole module affected (a syntax error, a side effect at import time): then
everything that imports it is affected. ``closure`` is the plain import-closure selection
(every test module that transitively imports a changed module), kept as the baseline.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from hotfix.domain.selection.pysource import Block, Import, ModuleInfo

ALL = "*"
OUTSIDE = "<outside the repository>"
_Mark = Callable[[str, Iterable[str], str], None]


@dataclass(frozen=True)
class StaticIndex:
    modules: Mapping[str, ModuleInfo]  # path → analysed module (the head version)
    imports: Mapping[str, frozenset[str]]  # path → paths it imports (direct)
    importers: Mapping[str, frozenset[str]]  # path → paths importing it (direct)
    test_paths: frozenset[str]
    foreign: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # path → names its imports bind from outside the repository (``os``, ``json``)
    origins: Mapping[str, Mapping[str, frozenset[str]]] = dataclasses.field(
        default_factory=dict)
    # path → name bound by ``from M import name`` → the files it comes from (OUTSIDE: none)
    stars: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # path → the files it re-exports whole with ``from M import *``

    def all_tests(self) -> list[str]:
        return [t for path in sorted(self.test_paths) for t in self.modules[path].test_ids()]


def module_names(path: str, roots: Sequence[str]) -> list[str]:
    """Dotted names the file ``path`` is importable as, one per source root it lies under."""
    names = []
    for given in roots:
        root = given.strip("/").removeprefix("./").rstrip(".")
        if root and not path.startswith(root + "/"):
            continue
        rel = path[len(root) + 1:] if root else path
        if not rel.endswith(".py"):
            continue
        dotted = rel[:-3].replace("/", ".").removesuffix(".__init__")
        names.append(dotted)
    return names


def build_index(modules: Mapping[str, ModuleInfo], roots: Sequence[str],
                other_paths: Iterable[str] = (), test_paths: Iterable[str] = ()) -> StaticIndex:
    """``other_paths``: Python files that could not be analysed but may be imported."""
    paths = set(modules) | set(other_paths)
    by_name: dict[str, str] = {}
    for path in sorted(paths):
        for name in module_names(path, roots):
            by_name.setdefault(name, path)
    tests = frozenset(test_paths) & set(modules)
    ours = {part for name in by_name for part in name.split(".")}
    ours |= {part.removesuffix(".py") for p in paths for part in p.split("/")}
    imports: dict[str, frozenset[str]] = {}
    foreign: dict[str, frozenset[str]] = {}
    origins: dict[str, dict[str, frozenset[str]]] = {}
    stars: dict[str, frozenset[str]] = {}
    for path, info in modules.items():
        found: set[str] = set()
        outside: set[str] = set()
        starred: set[str] = set()
        for imp in info.imports:
            resolved = _resolve(imp, path, by_name, paths)
            found |= resolved
            if imp.names == ("*",):
                starred |= resolved
            if not resolved and not imp.level and imp.module.split(".")[0] not in ours:
                outside.update(imp.bound)
        foreign[path] = frozenset(outside)
        origins[path] = _origins(info, path, by_name, paths, ours)
        if starred - {path}:
            stars[path] = frozenset(starred - {path})
        if path in tests:
            found |= _conftests(path, paths)
        found.discard(path)
        imports[path] = frozenset(found)
    reverse: dict[str, set[str]] = {}
    for path, targets in imports.items():
        for target in targets:
            reverse.setdefault(target, set()).add(path)
    return StaticIndex(modules, imports, {k: frozenset(v) for k, v in reverse.items()}, tests,
                       foreign, origins, stars)


def _origins(info: ModuleInfo, path: str, by_name: Mapping[str, str], paths: set[str],
             ours: set[str]) -> dict[str, frozenset[str]]:
    """Name → the files ``from M import name`` takes it from, over all such imports of the
    module; a name also bound by a plain import, or unresolved in the repo, is left out."""
    out: dict[str, set[str]] = {}
    unsure: set[str] = set()
    for imp in info.imports:
        if not imp.names:
            unsure.update(imp.bound)
            continue
        for name, bound in zip(imp.names, imp.bound, strict=False):
            if name == "*":
                continue
            files = _resolve(Import(imp.module, imp.level, (name,)), path, by_name, paths)
            if not files and not imp.level and imp.module.split(".")[0] not in ours:
                files = {OUTSIDE}
            if not files:
                unsure.add(bound)
            out.setdefault(bound, set()).update(files)
    return {n: frozenset(f) for n, f in out.items() if n not in unsure}


def _resolve(imp: Import, importer: str, by_name: Mapping[str, str],
             paths: set[str]) -> set[str]:
    if imp.level:
        base = posixpath.dirname(importer)
        for _ in range(imp.level - 1):
            base = posixpath.dirname(base)
        parts = [p for p in [base, *imp.module.split(".")] if p]
        stem = "/".join(parts)
        found = {p for p in (f"{stem}.py", f"{stem}/__init__.py") if p in paths}
        found |= {p for n in imp.names for p in (f"{stem}/{n}.py", f"{stem}/{n}/__init__.py")
                  if p in paths}
        return found
    dotted = imp.module.split(".")
    wanted = [".".join(dotted[:i]) for i in range(1, len(dotted) + 1)]
    wanted += [f"{imp.module}.{n}" for n in imp.names]
    found = {by_name[w] for w in wanted if w in by_name}
    here = posixpath.dirname(importer)
    sibling = posixpath.join(here, dotted[0] + ".py") if here else dotted[0] + ".py"
    if sibling in paths:
        found.add(sibling)
    return found


def _conftests(path: str, paths: set[str]) -> set[str]:
    out = set()
    here = posixpath.dirname(path)
    while True:
        candidate = posixpath.join(here, "conftest.py") if here else "conftest.py"
        if candidate in paths:
            out.add(candidate)
        if not here:
            return out
        here = posixpath.dirname(here)


def closure(index: StaticIndex, changed: Iterable[str]) -> dict[str, str]:
    """Every test of every test module that transitively imports a changed module."""
    root: dict[str, str] = {p: p for p in changed}
    reason: dict[str, str] = {p: f"{p} changed" for p in changed}
    queue = deque(reason)
    while queue:
        path = queue.popleft()
        for importer in sorted(index.importers.get(path, ())):
            if importer not in reason:
                root[importer] = root[path]
                via = "" if path == root[path] else f" via {path}"
                reason[importer] = f"imports {root[path]}{via}"
                queue.append(importer)
    return {t: reason[p] for p in sorted(index.test_paths & set(reason))
            for t in index.modules[p].test_ids()}


def narrowed(index: StaticIndex, seeds: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Tests reached from the changed names ``seeds`` (path → names), with why."""
    affected: dict[str, dict[str, str]] = {}
    selected: dict[str, str] = {}
    queue: deque[str] = deque()
    queued: set[str] = set()
    tests: dict[str, dict[str, list[str]]] = {}  # a test module's blocks → its test ids

    def mark(path: str, names: Iterable[str], why: str) -> None:
        have = affected.setdefault(path, {})
        fresh = [n for n in names if n not in have]
        for name in fresh:
            have[name] = why
        if fresh and path not in queued:
            queue.append(path)
            queued.add(path)

    for path, names in seeds.items():
        for name in names:
            mark(path, [name], f"{path} changed as a whole" if name == ALL
                 else f"{name} changed in {path}")
    while queue:
        source = queue.popleft()
        queued.discard(source)
        names = affected[source]
        for user in sorted({source} | set(index.importers.get(source, ()))):
            info = index.modules.get(user)
            if info is None:
                continue
            if user in index.test_paths and user not in tests:
                tests[user] = _test_blocks(info)
            _spread(index, source, info, names, mark=mark, selected=selected,
                    tests=tests.get(user, {}))
    return selected


def _spread(index: StaticIndex, source: str, info: ModuleInfo, names: Mapping[str, str], *,
            mark: _Mark, selected: dict[str, str], tests: Mapping[str, list[str]]) -> None:
    user = info.path
    whole = ALL in names and user != source
    if whole:
        mark(user, [ALL], names[ALL])
    elif user != source and source in index.stars.get(user, ()):
        for name, why in names.items():  # ``from .helpers import *``: its names are ours too
            if not name.startswith("_"):
                mark(user, [name], why)
    foreign = index.foreign.get(user, frozenset())
    wanted = frozenset(names)
    if user != source:  # a name the user imports from elsewhere is not the changed one
        taken = index.origins.get(user, {})
        wanted = frozenset(n for n in wanted if n not in taken or source in taken[n])
    for block in info.blocks:
        if block.kind == "inert":
            continue
        hits = block.idents & wanted
        used = sorted(n for n in hits if block.mentions(n, foreign)) if hits else []
        if not (whole or used or block_is_seed(block, user, source, names)):
            continue
        origin, why = _why(block, source, names, whole, used)
        mark(user, _bound_names(block), origin)
        for test_id in tests.get(block.qualname, ()):
            selected.setdefault(test_id, why)


def block_is_seed(block: Block, user: str, source: str, names: Mapping[str, str]) -> bool:
    """A changed block in its own module (a changed test selects itself)."""
    return user == source and block.kind != "statement" and block.qualname in names


def _why(block: Block, source: str, names: Mapping[str, str], whole: bool,
         used: list[str]) -> tuple[str, str]:
    """(the root cause carried on, the reason shown for a test reached here)."""
    if whole:
        return names[ALL], f"imports {source}, affected as a whole: {names[ALL]}"
    if used:
        return names[used[0]], f"uses {used[0]} from {source}: {names[used[0]]}"
    return names[block.qualname], f"changed test: {names[block.qualname]}"


def _bound_names(block: Block) -> set[str]:
    """What a change to ``block`` affects: a method is reached by its name (``x.m()``, so
    overrides and calls on any receiver count), not through its class; a special method
    (``__init__``, ``__eq__``) is called implicitly, so it affects its class."""
    if block.kind == "statement":
        return set(block.targets)
    owner, _, name = block.qualname.rpartition(".")
    if owner and name.startswith("__") and name.endswith("__"):
        return {block.qualname, owner}  # not ``__init__`` itself: every super() call has it
    return {name, block.qualname}


def seed_names(blocks: Iterable[Block]) -> set[str]:
    """The names a change to ``blocks`` affects (``*`` for a statement binding nothing)."""
    out: set[str] = set()
    for block in blocks:
        if block.kind == "inert":
            continue
        out |= _bound_names(block) if block.kind != "statement" or block.targets else {ALL}
    return out


def _test_blocks(info: ModuleInfo) -> dict[str, list[str]]:
    """Block qualname → the test ids it selects: a test method itself, a test class (its
    class-level code) or any other method of it all of its tests."""
    out: dict[str, list[str]] = {}
    for tail in info.tests:
        test_id = f"{info.path}::{tail}"
        out.setdefault(tail.replace("::", "."), []).append(test_id)
        if "::" in tail:
            out.setdefault(tail.split("::", 1)[0], []).append(test_id)
    for block in info.blocks:  # a test class's setUp, fixtures and helpers serve its tests
        owner = block.qualname.partition(".")[0]
        if "." in block.qualname and block.qualname not in out and owner in out:
            out[block.qualname] = out[owner]
    return out

