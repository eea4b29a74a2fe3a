"""Impact analysis: which tests a change can affect (``hotfix impact``).

With a coverage map for the base commit (``hotfix impact --record``), selection is per test
from the changed lines; a map recorded on another commit is used with the diff from that
commit (and says so) when it is close enough; otherwise the static import graph is used.
``--record`` first records the map on the base, then selects with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotfix.adapters.testing import covmap, parse_cache
from hotfix.config import Config
from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.selection.pysource import ModuleInfo, SyntaxProblem, analyse
from hotfix.domain.selection.select import CoverageMap, ImpactRules, Selection, select
from hotfix.domain.selection.static_graph import StaticIndex, build_index
from hotfix.errors import GitError
from hotfix.ports import Clock, GitRepo
from hotfix.services.checks.policy import Range, resolve_range

if TYPE_CHECKING:
    from hotfix.services.checks.coverage_map import Recorded


@dataclass(frozen=True)
class ImpactReport:
    selection: Selection
    seconds: float
    range: Range
    map_commit: str | None
    map_note: str
    recorded: Recorded | None = None  # the map recorded first (``--record``)

    def to_dict(self) -> dict[str, Any]:
        recorded = {"recorded": self.recorded.to_dict()} if self.recorded else {}
        return {**self.selection.to_dict(), "seconds": round(self.seconds, 4),
                **self.range.to_dict(), "map": {"commit": self.map_commit,
                                                "note": self.map_note}, **recorded}


def impact_rules(cfg: Config) -> ImpactRules:
    keys = ("test_files", "widen", "file_rules", "source_roots")
    return ImpactRules.from_settings({k: cfg.get(f"impact.{k}") for k in keys})


def impact(git: GitRepo, cfg: Config, *, clock: Clock, base: str | None = None,
           head: str | None = None, record: bool = False,
           on_recording: Callable[[Range], None] = lambda _: None) -> ImpactReport:
    """Select the tests ``base..head`` can affect (``git``: any work tree of the repo);
    with ``record``, first record a coverage map on the base (``on_recording`` is told)."""
    found = resolve_range(git, base, head)
    recorded = _record(git, cfg, found, on_recording) if record else None
    report = select_for(git, cfg, found, clock=clock)
    return dataclasses.replace(report, recorded=recorded) if recorded else report


def _record(git: GitRepo, cfg: Config, found: Range,
            on_recording: Callable[[Range], None]) -> Recorded:
    from hotfix.services.checks.coverage_map import record_map  # runs the suite: coverage, venvs

    on_recording(found)
    return record_map(git, cfg, found.base_sha)


def select_for(git: GitRepo, cfg: Config, found: Range, *, clock: Clock) -> ImpactReport:
    start = clock.monotonic()
    map_info, note = choose_map(git, cfg, found.base_sha)
    old_commit = map_info.commit if map_info else found.base_sha
    changes = git.diff(old_commit, found.head_sha)
    rules = impact_rules(cfg)
    head = _analysed(git, found.head_sha, [c.path for c in changes if c.status != "D"], rules)
    old = _analysed(git, old_commit, [c.old_path for c in changes if c.old_path], rules)
    coverage = _load(map_info, changes)
    selection = select(changes, rules, head=head, old=old, coverage=coverage,
                       static=lambda: static_index(git, found.head_sha, rules, changes))
    return ImpactReport(selection, clock.monotonic() - start, found,
                        map_info.commit if map_info else None, note)


def choose_map(git: GitRepo, cfg: Config,
               base_sha: str) -> tuple[covmap.MapInfo | None, str]:
    maps = covmap.available(git.home())
    exact = next((m for m in maps if m.commit == base_sha), None)
    if exact:
        return exact, (f"coverage map recorded on the base {base_sha[:12]} ({exact.tests} tests)"
                       f"{exact.failures_note()}")
    best: tuple[int, covmap.MapInfo] | None = None
    for info in maps:
        try:
            drift = len(git.changed_paths(info.commit, base_sha))
        except GitError:  # a map of a commit this clone lacks is unusable
            continue
        if best is None or drift < best[0]:
            best = (drift, info)
    limit = cfg.int("impact.max_map_drift")
    if best and best[0] <= limit:
        return best[1], (f"no map for the base {base_sha[:12]}: used the map recorded on "
                         f"{best[1].commit[:12]} with the diff from it ({best[0]} files differ "
                         "from the base, and are analysed as changed too)"
                         f"{best[1].failures_note()}")
    why = f" (the nearest differs in {best[0]} files)" if best else ""
    return None, (f"no usable coverage map for the base {base_sha[:12]}{why}: static import "
                  "analysis; record one with `hotfix impact --record`")


def _load(info: covmap.MapInfo | None, changes: list[FileChange]) -> CoverageMap | None:
    if info is None:
        return None
    return covmap.load(info.path, [c.old_path for c in changes if c.old_path])


def _analysed(git: GitRepo, commit: str, paths: list[str],
              rules: ImpactRules) -> dict[str, ModuleInfo | SyntaxProblem]:
    """The Python files among ``paths`` at ``commit`` (absent ones left out)."""
    wanted = {p for p in paths if p.endswith(".py")}
    return analysed_tree(git, commit, rules, wanted)


def _analyse_text(path: str, text: str | None, rules: ImpactRules) -> ModuleInfo | SyntaxProblem:
    if text is None:
        return SyntaxProblem(path, 0, "not readable as UTF-8 text")
    return analyse(path, text, is_test=rules.is_test(path))


def static_index(git: GitRepo, commit: str, rules: ImpactRules,
                 changes: list[FileChange]) -> StaticIndex:
    """Every Python file of ``commit`` analysed (cached by blob id) and linked by imports."""
    modules = analysed_tree(git, commit, rules)
    good = {p: m for p, m in modules.items() if isinstance(m, ModuleInfo)}
    other = [p for p in modules if p not in good]
    other += [c.old_path for c in changes if c.status == "D" and c.old_path]
    tests = [p for p in good if rules.is_test(p)]
    return build_index(good, rules.source_roots, other, tests)


_CACHE_LIMIT = 50_000  # entries kept across commits before the cache restarts from one tree


def analysed_tree(git: GitRepo, commit: str, rules: ImpactRules,
                  only: set[str] | None = None) -> dict[str, ModuleInfo | SyntaxProblem]:
    """Every Python file of ``commit`` (or those in ``only``), parsing only blobs the cache
    has not seen."""
    blobs = git.python_files(commit)
    if only is not None:
        blobs = {p: b for p, b in blobs.items() if p in only}
    keys = {p: (p, blob, rules.is_test(p)) for p, blob in blobs.items()}
    cached = parse_cache.load(git.home())
    missing = [p for p, key in keys.items() if key not in cached]
    texts = git.read_blobs([blobs[p] for p in missing])
    fresh = {keys[p]: _analyse_text(p, t, rules) for p, t in zip(missing, texts, strict=True)}
    if fresh:
        merged = {**cached, **fresh}
        if len(merged) > _CACHE_LIMIT:  # a new start: keep only this tree's files
            merged = {key: merged[key] for key in keys.values()}
        parse_cache.save(git.home(), merged)
        cached = merged
    return {p: cached[key] for p, key in keys.items()}
