"""Which tests can a change affect, ordered by how likely they are to fail.

Pure: the diff, the analysed old and new versions of the changed Python files, and either a
per-test coverage map or a static import graph go in; a ``Selection`` comes out.

Ranks (lower runs first): 0 a changed or added test, 1 a test that ran a changed line,
2 a test that ran a changed function, 3 a test reaching a changed name, 4 a file-level
match (file rules, a syntax error, a deleted module), 5 widened: a change that cannot be
analysed (conftest, dependencies, test configuration, an unknown kind of file). Selection
errs toward safety: what cannot be analysed widens the selection, and says why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.checks.globs import first_match, matches
from hotfix.domain.selection.coverage import by_coverage, old_lines_that_matter
from hotfix.domain.selection.pysource import Block, ModuleInfo, SyntaxProblem
from hotfix.domain.selection.static_graph import ALL, StaticIndex, narrowed, seed_names

CHANGED_TEST, LINE, FUNCTION, NAME, FILE, WIDE = range(6)
Analysed = ModuleInfo | SyntaxProblem


@dataclass(frozen=True)
class ImpactRules:
    test_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    widen: tuple[str, ...] = ("setup.py", "setup.cfg", "pyproject.toml", "tox.ini", "pytest.ini",
                              "noxfile.py", "requirements*.txt", "constraints*.txt", "*.lock",
                              "Pipfile")
    file_rules: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("*.md", ()), ("*.rst", ()), ("docs/**", ()), ("LICENSE*", ()), ("CHANGELOG*", ()),
        ("CHANGES*", ()), (".github/**", ()), (".gitignore", ()), ("AUTHORS*", ()))
    source_roots: tuple[str, ...] = ("src", "")

    def is_test(self, path: str) -> bool:
        return path.endswith(".py") and first_match(self.test_files,
                                                    posixpath.basename(path)) is not None

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> ImpactRules:
        rules = tuple((str(r["glob"]), tuple(r.get("tests", ()))) for r in
                      values.get("file_rules", []))
        return cls(tuple(values.get("test_files", cls.test_files)),
                   tuple(values.get("widen", cls.widen)), rules or cls.file_rules,
                   tuple(values.get("source_roots", cls.source_roots)))


@dataclass(frozen=True)
class CoverageMap:
    """Per-test executed lines, recorded on ``commit`` (only the files asked about)."""

    commit: str
    tests: tuple[str, ...]
    files: Mapping[str, Mapping[str, frozenset[int]]]


@dataclass(frozen=True)
class Selection:
    selected: tuple[str, ...]
    reasons: Mapping[str, str]
    total_tests: int
    strategy: str
    notes: tuple[str, ...] = ()
    syntax_errors: tuple[SyntaxProblem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"selected": list(self.selected), "total_tests": self.total_tests,
                "strategy": self.strategy, "reasons": dict(self.reasons),
                "notes": list(self.notes),
                "syntax_errors": [p.to_dict() for p in self.syntax_errors]}


@dataclass
class _Picks:
    universe: list[str]
    rules: ImpactRules
    head: Mapping[str, Analysed]
    old: Mapping[str, Analysed]
    coverage: CoverageMap | None
    best: dict[str, tuple[int, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[SyntaxProblem] = field(default_factory=list)
    seeds: dict[str, set[str]] = field(default_factory=dict)

    def add(self, tests: Iterable[str], rank: int, why: str) -> None:
        for test in tests:
            if test not in self.best or self.best[test][0] > rank:
                self.best[test] = (rank, why)

    def seed(self, path: str, names: Iterable[str]) -> None:
        self.seeds.setdefault(path, set()).update(names)


def select(changes: Sequence[FileChange], rules: ImpactRules, *, head: Mapping[str, Analysed],
           old: Mapping[str, Analysed], coverage: CoverageMap | None,
           static: Callable[[], StaticIndex]) -> Selection:
    """``head``/``old``: the changed Python files analysed at the head / at the base."""
    index = None if coverage else static()
    universe = _universe(changes, rules, head, coverage, index)
    picks = _Picks(universe, rules, head, old, coverage)
    for change in changes:
        _one(change, picks)
    if picks.seeds:
        index = index or static()
        for test, why in narrowed(index, picks.seeds).items():
            picks.add([test], NAME, why)
    return _result(picks, "coverage" if coverage else "static")


def _universe(changes: Sequence[FileChange], rules: ImpactRules, head: Mapping[str, Analysed],
              coverage: CoverageMap | None, index: StaticIndex | None) -> list[str]:
    if index is not None:
        return index.all_tests()
    assert coverage is not None
    gone = {c.old_path for c in changes if c.status in {"D", "R"}}
    current = {c.path: head.get(c.path) for c in changes if c.status != "D"}
    keep = [t for t in coverage.tests if _still_there(t, gone, current)]
    fresh = [t for info in current.values() if isinstance(info, ModuleInfo)
             for t in info.test_ids() if t not in keep]
    return keep + fresh


def _still_there(test: str, gone: set[str | None], current: Mapping[str, Analysed | None]) -> bool:
    path, _, tail = test.partition("::")
    if path in gone:
        return False
    info = current.get(path)
    return not isinstance(info, ModuleInfo) or tail.split("[", 1)[0] in info.tests


def _one(change: FileChange, picks: _Picks) -> None:
    path, rules = change.path, picks.rules
    if posixpath.basename(path) == "conftest.py":
        where = posixpath.dirname(path)
        below = [t for t in picks.universe if not where or t.startswith(where + "/")]
        _widen(picks, below, f"{path} changed: fixtures of every test under "
                             f"{where or 'the repository'}/ may change")
    elif first_match(rules.widen, path):
        _widen(picks, picks.universe, f"{path} changed (dependencies or test configuration): "
                                      "cannot be analysed, every test selected")
    elif not path.endswith(".py"):
        _other_file(change, rules, picks)
    else:
        _python(change, picks)


def _widen(picks: _Picks, tests: list[str], why: str) -> None:
    picks.notes.append(why)
    picks.add(tests, WIDE, why)


def _other_file(change: FileChange, rules: ImpactRules, picks: _Picks) -> None:
    for glob, test_globs in rules.file_rules:
        if matches(glob, change.path) or (change.old_path and matches(glob, change.old_path)):
            tests = [t for t in picks.universe
                     if any(matches(g, t.partition("::")[0]) for g in test_globs)]
            picks.add(tests, FILE, f"{change.path} matches the impact rule {glob!r}")
            if not test_globs:
                picks.notes.append(f"{change.path}: no tests (impact rule {glob!r})")
            return
    _widen(picks, picks.universe, f"cannot analyse {change.path} (not Python, no rule in "
                                  "impact.file_rules): every test selected")


def _python(change: FileChange, picks: _Picks) -> None:
    rules, coverage = picks.rules, picks.coverage
    new, was = picks.head.get(change.path), picks.old.get(change.old_path or "")
    if isinstance(new, SyntaxProblem):
        picks.problems.append(new)
        picks.seed(change.path, [ALL])
        why = f"syntax error in {new.path} line {new.line}: {new.message}"
        picks.notes.append(why)
        if coverage and change.old_path:
            picks.add(coverage.files.get(change.old_path, {}), FILE, why)
        return
    if rules.is_test(change.path) and isinstance(new, ModuleInfo):
        _test_file(change, new, picks)
    if change.status == "D":
        _deleted(change, coverage, picks)
    elif coverage is None:
        picks.seed(change.path, _static_names(change, new, was))
    elif isinstance(was, ModuleInfo):
        now = new if isinstance(new, ModuleInfo) else None
        found, names = by_coverage(change, was, coverage.files.get(was.path, {}), now)
        for test, (rank, why) in found.items():
            picks.add([test], rank, why)
        if names and not rules.is_test(change.path):
            picks.seed(change.path, names)
    elif change.status == "A" and not rules.is_test(change.path):
        picks.notes.append(f"{change.path} is new: reached through the changed code and tests "
                           "that import it")


def _test_file(change: FileChange, new: ModuleInfo, picks: _Picks) -> None:
    touched = [b for b in _blocks_at(new, change.new_touched) if b.kind != "inert"]
    if change.status == "A" or any(b.kind == "statement" for b in touched):
        picks.add(new.test_ids(), CHANGED_TEST,
                  f"{change.path} added or its module-level code changed")
        return
    for block in touched:
        ids = [t for t in new.test_ids() if _within(t, block.qualname)]
        picks.add(ids, CHANGED_TEST, f"changed or added test ({block.qualname})")


def _within(test: str, qualname: str) -> bool:
    """``test`` is the block ``qualname`` or in it; a test class's other methods (setUp,
    helpers) serve all of its tests."""
    dotted = test.split("::", 1)[1].replace("::", ".")
    owner, _, method = qualname.partition(".")
    if method and not method.startswith("test"):
        qualname = owner
    return dotted == qualname or dotted.startswith(qualname + ".")


def _deleted(change: FileChange, coverage: CoverageMap | None, picks: _Picks) -> None:
    why = f"{change.old_path} was deleted"
    picks.seed(change.old_path or change.path, [ALL])
    if coverage and change.old_path:
        picks.add(coverage.files.get(change.old_path, {}), FILE, why)


def _static_names(change: FileChange, new: Analysed | None, was: Analysed | None) -> set[str]:
    names: set[str] = set()
    if isinstance(new, ModuleInfo):
        # a pure deletion is told by the old side: its new-side neighbours did not change
        # (taking them made `if PY3:` around a deleted line affect the whole module)
        lines = change.new_lines if isinstance(was, ModuleInfo) else change.new_touched
        names |= seed_names(_blocks_at(new, lines))
    now = new if isinstance(new, ModuleInfo) else None
    if isinstance(was, ModuleInfo):
        lines, _ = old_lines_that_matter(change, was, now)
        names |= seed_names(_blocks_at(was, lines))
    if change.status == "A" or (new is None and was is None):
        names.add(ALL)
    return names


def _blocks_at(info: ModuleInfo, lines: Iterable[int]) -> list[Block]:
    return list({b for n in lines for b in info.blocks_at(n)})


def _result(picks: _Picks, strategy: str) -> Selection:
    best = _pytest_ids(picks.best, picks.universe)
    order = sorted(best, key=lambda t: (best[t][0], t))
    return Selection(tuple(order), {t: best[t][1] for t in order}, len(picks.universe),
                     strategy, tuple(dict.fromkeys(picks.notes)), tuple(picks.problems))


def _pytest_ids(best: Mapping[str, tuple[int, str]],
                universe: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Selected tests under pytest's own ids: a function found by name stands for each of its
    parametrised cases the universe lists (``test_x`` → ``test_x[1]``, ``test_x[2]``); a
    parametrised id the universe no longer has is dropped."""
    cases: dict[str, list[str]] = {}
    for test in universe:
        if "[" in test:
            cases.setdefault(test.split("[", 1)[0], []).append(test)
    valid = set(universe)
    out: dict[str, tuple[int, str]] = {}
    for test, found in best.items():
        if "[" in test and test not in valid:
            continue
        for case in cases.get(test, [test]) if "[" not in test else [test]:
            if case not in out or out[case][0] > found[0]:
                out[case] = found
    return out
