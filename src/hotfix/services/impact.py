"""Impact analysis: which tests a change can affect (``hotfix impact``).

With a coverage map for the base commit (``hotfix impact --record``), selection is per test
from the changed lines; a map recorded on another commit is used with the diff from that
commit (and says so) when it is close enough; otherwise the static import graph is used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.testing import covmap, gitdiff
from hotfix.config import Config
from hotfix.domain.diffs import FileChange
from hotfix.domain.pysource import ModuleInfo, SyntaxProblem, analyse
from hotfix.domain.selection import CoverageMap, ImpactRules, Selection, select
from hotfix.domain.static_graph import StaticIndex, build_index
from hotfix.errors import GitError
from hotfix.services.policy import Range, resolve_range


@dataclass(frozen=True)
class ImpactReport:
    selection: Selection
    seconds: float
    range: Range
    map_commit: str | None
    map_note: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.selection.to_dict(), "seconds": round(self.seconds, 4),
                **self.range.to_dict(), "map": {"commit": self.map_commit,
                                                "note": self.map_note}}


def impact_rules(cfg: Config) -> ImpactRules:
    keys = ("test_files", "widen", "file_rules", "source_roots")
    return ImpactRules.from_settings({k: cfg.get(f"impact.{k}") for k in keys})


def impact(root: Path, cfg: Config, *, base: str | None = None,
           head: str | None = None) -> ImpactReport:
    """Select the tests ``base..head`` can affect (``root``: any work tree of the repo)."""
    return select_for(root, cfg, resolve_range(root, base, head))


def select_for(root: Path, cfg: Config, found: Range) -> ImpactReport:
    start = time.perf_counter()
    home = gitdiff.repo_home(root)
    map_info, note = choose_map(home, root, cfg, found.base_sha)
    old_commit = map_info.commit if map_info else found.base_sha
    changes = gitdiff.diff(root, old_commit, found.head_sha)
    rules = impact_rules(cfg)
    head = _analysed(root, found.head_sha, [c.path for c in changes if c.status != "D"], rules)
    old = _analysed(root, old_commit, [c.old_path for c in changes if c.old_path], rules)
    coverage = _load(map_info, changes)
    selection = select(changes, rules, head=head, old=old, coverage=coverage,
                       static=lambda: static_index(root, found.head_sha, rules, changes))
    return ImpactReport(selection, time.perf_counter() - start, found,
                        map_info.commit if map_info else None, note)


def choose_map(home: Path, root: Path, cfg: Config,
               base_sha: str) -> tuple[covmap.MapInfo | None, str]:
    maps = covmap.available(home)
    exact = next((m for m in maps if m.commit == base_sha), None)
    if exact:
        return exact, f"coverage map recorded on the base {base_sha[:12]} ({exact.tests} tests)"
    best: tuple[int, covmap.MapInfo] | None = None
    for info in maps:
        try:
            drift = len(gitdiff.changed_paths(root, info.commit, base_sha))
        except GitError:  # a map of a commit this clone lacks is unusable
            continue
        if best is None or drift < best[0]:
            best = (drift, info)
    limit = cfg.int("impact.max_map_drift")
    if best and best[0] <= limit:
        return best[1], (f"no map for the base {base_sha[:12]}: used the map recorded on "
                         f"{best[1].commit[:12]} with the diff from it ({best[0]} files differ "
                         "from the base, and are analysed as changed too)")
    why = f" (the nearest differs in {best[0]} files)" if best else ""
    return None, (f"no usable coverage map for the base {base_sha[:12]}{why}: static import "
                  "analysis; record one with `hotfix impact --record`")


def _load(info: covmap.MapInfo | None, changes: list[FileChange]) -> CoverageMap | None:
    if info is None:
        return None
    return covmap.load(info.path, [c.old_path for c in changes if c.old_path])


def _analysed(root: Path, commit: str, paths: list[str],
              rules: ImpactRules) -> dict[str, ModuleInfo | SyntaxProblem]:
    wanted = [p for p in paths if p.endswith(".py")]
    texts = gitdiff.read_files(root, commit, wanted)
    return {p: _analyse_text(p, t, rules) for p, t in texts.items()}


def _analyse_text(path: str, text: str | None, rules: ImpactRules) -> ModuleInfo | SyntaxProblem:
    if text is None:
        return SyntaxProblem(path, 0, "not readable as UTF-8 text")
    return analyse(path, text, is_test=rules.is_test(path))


def static_index(root: Path, commit: str, rules: ImpactRules,
                 changes: list[FileChange]) -> StaticIndex:
    """Every Python file of ``commit`` analysed and linked by its imports."""
    modules = _analysed(root, commit, gitdiff.python_files(root, commit), rules)
    good = {p: m for p, m in modules.items() if isinstance(m, ModuleInfo)}
    other = [p for p in modules if p not in good]
    other += [c.old_path for c in changes if c.status == "D" and c.old_path]
    tests = [p for p in good if rules.is_test(p)]
    return build_index(good, rules.source_roots, other, tests)

