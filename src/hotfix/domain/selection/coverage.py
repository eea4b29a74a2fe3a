"""Selection from a per-test coverage map, for one changed file.

Line numbers are the old file's (the commit the map was recorded on). Each changed line is
taken to the first line of its innermost statement, the unit coverage.py records:

- inside a function or method body: the tests that ran that statement (rank 1); if none
  ran it, the tests that ran any line of the function (rank 2);
- definition-time code (a decorator and its arguments, a ``def`` header with its default
  values, a class header or class-level statement such as a class attribute): the tests
  that ran any line of it (rank 2), and the defined name is returned for the static graph
  to follow to the tests that import or call it: such code runs at import time, under no
  test, so the map alone cannot tell who depends on it;
- a module-level statement: the tests that ran a function of this file mentioning a name it
  binds (rank 3), and the bound names are returned for the static graph to follow into other
  modules (``*`` when it binds nothing: import-time side effects).
"""

from __future__ import annotations

from collections.abc import Mapping

from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.selection.pysource import Block, ModuleInfo
from hotfix.domain.selection.static_graph import seed_names

PerTest = Mapping[str, frozenset[int]]
Found = dict[str, tuple[int, str]]
LINE, FUNCTION, NAME = 1, 2, 3


def by_coverage(change: FileChange, was: ModuleInfo, per_test: PerTest,
                now: ModuleInfo | None = None) -> tuple[Found, set[str]]:
    found: Found = {}
    lines, added = old_lines_that_matter(change, was, now)
    module_level = [b for b in added if b.kind == "statement"]
    defined: list[Block] = []
    for line in sorted(lines):
        for block in was.blocks_at(line):
            if block.kind == "statement":
                module_level.append(block)
            elif block.kind != "inert" and _in_def(was, block, line, per_test, found):
                defined.append(block)
    names = seed_names(module_level) | seed_names(defined)
    if names:
        _users(was, names, per_test, found)
    return found, names


def old_lines_that_matter(change: FileChange, was: ModuleInfo | None,
                          now: ModuleInfo | None) -> tuple[frozenset[int], list[Block]]:
    """Old lines to analyse, and the blocks that pure insertions added whole.

    A pure insertion of whole new functions or statements touches nothing old: its
    neighbours are not analysed (an appended test does not select the test above it). A
    new method can override inherited behaviour, so its class counts as changed.
    """
    lines = set(change.old_lines)
    added: list[Block] = []
    for hunk in change.hunks:
        if hunk.old_count:
            continue
        end = hunk.new_start + hunk.new_count
        blocks = {b for n in range(hunk.new_start, end) for b in now.blocks_at(n)} if now else {}
        if now is None or any(b.start < hunk.new_start or b.end >= end for b in blocks):
            lines |= {n for n in (hunk.old_start, hunk.old_start + 1) if n >= 1}
            continue
        added.extend(blocks)
        for block in blocks:
            owner = block.qualname.rpartition(".")[0]
            lines |= {b.start for b in (was.blocks if was else ()) if owner and b.qualname == owner}
    return frozenset(lines), added


def _in_def(was: ModuleInfo, block: Block, line: int, per_test: PerTest, found: Found) -> bool:
    """Select for a changed line of a def or class; True when it runs at definition time."""
    where = f"{was.path}:{line}"
    stmt = was.statement_at(line)
    if (line < block.body_start or stmt is None or stmt == block.start
            or block.kind == "class"):  # a class-level statement: not inside a method
        _add(found, _ran_any(per_test, block), FUNCTION,
             f"runs {block.qualname}, whose definition changed at {where}")
        return True
    ran = [t for t, lines in per_test.items() if stmt in lines]
    if ran:
        _add(found, ran, LINE, f"runs the changed line {where} in {block.qualname}")
    else:
        _add(found, _ran_any(per_test, block), FUNCTION,
             f"runs {block.qualname}, changed at {where} (a line no test ran)")
    return False


def _users(was: ModuleInfo, names: set[str], per_test: PerTest, found: Found) -> None:
    for block in was.blocks:
        used = sorted(block.idents & names)
        if block.kind in ("function", "class") and used:
            _add(found, _ran_any(per_test, block), NAME,
                 f"runs {block.qualname}, which uses {used[0]} changed in {was.path}")


def _ran_any(per_test: PerTest, block: Block) -> list[str]:
    span = range(block.body_start, block.end + 1)
    return [t for t, lines in per_test.items() if not lines.isdisjoint(span)]


def _add(found: Found, tests: list[str], rank: int, why: str) -> None:
    for test in tests:
        if test not in found or found[test][0] > rank:
            found[test] = (rank, why)
