"""``hotfix audit``: is every change made on a release line also in the mainline?

The work, in as few git processes as possible:

1. every ref from ONE ``for-each-ref`` (``GitRepo.frozen_refs``), then ONE ``rev-list
   --parents`` of the mainline and every line: from that graph, each line's commits the
   mainline lacks, its fork points, and the mainline commits since (merge commits
   included) — a ``Walk``, kept in the cache until a tip moves, so a warm audit walks
   nothing; then the facts of every commit involved from the cache or ONE ``git log
   --stdin``;
2. trailers first; only what they leave open needs patch-ids, and only mainline commits that
   touch exactly the same files can share one: ONE ``diff-tree | patch-id`` for those;
3. the pure decisions of ``hotfix.domain.audit.equivalence``, each line against the mainline
   since ITS fork only: a commit's verdict never depends on which other lines are audited.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from hotfix.config import Config
from hotfix.domain.audit.commits import CommitInfo, release_subject_regex
from hotfix.domain.audit.equivalence import (
    Evidence,
    LineAudit,
    MainIndex,
    Waiver,
    audit_line,
    by_trailer,
)
from hotfix.domain.audit.release_files import Kind, ReleaseFiles
from hotfix.errors import ConfigError, NotFound, UsageError
from hotfix.ports import Cache, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.commit_facts import Facts, load_facts, load_patch_ids
from hotfix.services.git.lines import ReleaseLine, discover_lines, mainline_ref, pick_lines

WALK = "audit-walk/2"  # the cache's namespace for the last ``Walk`` of some refs
VERSION_ONLY = "version-only/1"  # sha:release files -> "1" when it only sets versions
FETCH_HINT = ("check the name with `git log --oneline -1 REV`; fetch it with "
              "`git fetch --tags` if it lives on the remote")


@dataclass(frozen=True)
class LineRef:
    """A release line to audit: its name and the ref whose history is the line."""

    name: str
    tip: str
    tags: tuple[str, ...] = ()  # its release tags, oldest first (for `hotfix contains`)


@dataclass(frozen=True)
class AuditOptions:
    release: ReleaseFiles
    subject_fallback: bool = True
    release_subjects: re.Pattern[str] | None = None

    @classmethod
    def from_config(cls, cfg: Config) -> AuditOptions:
        """``audit.*``, plus the changelog and version files ``hotfix release`` writes."""
        globs = [*cfg.list("audit.release_only_globs"), cfg.str("lines.changelog")]
        versions = [*cfg.list("audit.version_files"), *cfg.list("lines.version_files")]
        try:
            subjects = release_subject_regex(str(p) for p in cfg.list("audit.release_subjects"))
        except re.error as exc:
            raise ConfigError(f"audit.release_subjects is not a list of regexes: {exc}",
                              hint="fix audit.release_subjects in hotfix.toml") from None
        return cls(ReleaseFiles(tuple(dict.fromkeys(str(g) for g in globs)),
                                tuple(dict.fromkeys(str(v) for v in versions))),
                   cfg.bool("audit.subject_fallback"), subjects)


@dataclass(frozen=True)
class Window:
    """The commits an audit looks at: each line's since its fork, and the mainline since
    that fork (``indexes``, by line); ``main`` is every mainline commit read, oldest first.
    ``lines`` and ``main`` decode their facts when first read (``contains`` never does)."""

    line_shas: dict[str, list[str]]  # by line: its own commits, oldest first
    indexes: dict[str, MainIndex]
    pre_fork: dict[str, dict[str, str]]  # by line: line sha -> the mainline commit before
    # the fork that its trailer names (a re-pick after a revert, say)
    main_shas: list[str]
    facts: Facts  # of every commit above (``indexed``: all decoded already)
    graph: dict[str, tuple[str, ...]]  # every commit walked → its parents (only ``contains``
    # asks for it: empty when the audit, without tags, read its walk from the cache)
    tag_commits: dict[str, str]  # with ``with_tags``: every tag → its commit

    @cached_property
    def lines(self) -> dict[str, list[CommitInfo]]:
        return {name: [self.facts[s] for s in shas] for name, shas in self.line_shas.items()}

    @cached_property
    def main(self) -> list[CommitInfo]:
        return [self.facts[s] for s in self.main_shas]


@dataclass(frozen=True)
class Walk:
    """What the audit takes from the history walk, and keeps in the cache (``audit-walk/2``,
    by the refs audited, with the tips walked): a warm audit with unchanged tips asks git
    for no walk."""

    lines: dict[str, list[str]]  # by line: its own non-merge commits, oldest first
    forks: dict[str, str]  # by line: its fork points (lines with the same share an index)
    main: list[str]  # the mainline commits since the oldest fork, oldest first
    masks: list[int]  # for each of ``main``: the bits of the lines that have it already
    bits: dict[str, int]  # by line (one with commits of its own): its bit
    pre_fork: dict[str, dict[str, str]]  # see ``Window.pre_fork``

    def to_json(self) -> str:
        return json.dumps([self.lines, self.forks, self.main, self.masks, self.bits,
                           self.pre_fork], separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Walk:
        lines, forks, main, masks, bits, pre_fork = json.loads(text)
        return cls(lines, forks, main, masks, bits, pre_fork)


def audit_refs(git: GitRepo, cache: Cache, lines: Sequence[LineRef], *, mainline: str,
               options: AuditOptions, waivers: Iterable[Waiver] = ()) -> list[LineAudit]:
    """Audit ``lines`` against the ``mainline`` ref (see the module docstring)."""
    window = read_window(git, cache, lines, mainline, options)
    pending = {name: [c for c in commits if by_trailer(c, window.indexes[name]) is None]
               for name, commits in window.lines.items()}
    release_only = _release_only(git, cache, [c for cs in pending.values() for c in cs],
                                 options.release)
    code = {name: [c for c in commits if c.sha not in release_only
                   and not window.indexes[name].is_release_commit(c)]
            for name, commits in pending.items()}
    candidates = {name: window.indexes[name].patch_id_candidates(commits)
                  for name, commits in code.items()}
    pids = load_patch_ids(git, cache, [c.sha for name in code
                                       for c in (*code[name], *candidates[name])])
    by_line: dict[str, dict[str, Waiver]] = {}
    for waiver in waivers:
        by_line.setdefault(waiver.line, {})[waiver.sha] = waiver
    out = []
    for name, commits in window.lines.items():
        main_pids: dict[str, str] = {}
        for c in candidates[name]:
            if pids.get(c.sha):
                main_pids.setdefault(pids[c.sha], c.sha)
        evidence = Evidence(patch_ids=pids, main_by_patch_id=main_pids,
                            release_only=release_only, waivers=by_line.get(name, {}),
                            subject_fallback=options.subject_fallback,
                            release_subjects=options.release_subjects,
                            pre_fork=window.pre_fork[name])
        out.append(audit_line(name, commits, window.indexes[name], evidence))
    return out


def _pre_fork(commits: Iterable[CommitInfo], before: _ShaSet) -> dict[str, str]:
    """Line commits whose trailer names a mainline commit older than the fork (a re-pick
    after a revert, say): on the mainline, though outside the line's window."""
    found: dict[str, str] = {}
    for commit in commits:
        for origin in sorted(commit.origins - {commit.sha}):
            full = before.find(origin)
            if full is not None:
                found[commit.sha] = full
                break
    return found


def read_window(git: GitRepo, cache: Cache, lines: Sequence[LineRef], mainline: str,
                options: AuditOptions, *, with_tags: bool = False, indexed: bool = True
                ) -> Window:
    """The commits of each line that the mainline does not have (with ``with_tags``: of
    its release tags too, a release that is not on the line's branch), and the mainline
    commits that the line does not have, from ONE walk of the history
    (``rev-list --parents``): no merge-base is asked of git. ``indexed`` False: no
    ``MainIndex`` per line (``contains`` matches against the fix, not the mainline).

    The walk is kept in the cache (with the graph itself when ``with_tags``: ``contains``
    reads every tag's ancestry from it), the last one for the same refs: while their tips
    do not move, a second audit or ``contains`` walks nothing."""
    main_tip = resolve(git, mainline)
    tag_commits = git.tags() if with_tags else {}
    # a line's tip is often a tag (a line without a branch): known, no rev-parse for it
    heads = {line.name: [tag_commits.get(line.tip) or resolve(git, line.tip),
                         *(tag_commits[t] for t in line.tags if t in tag_commits)]
             for line in lines}
    # kept by the question (these refs), holding the answer for the tips walked: the
    # cache keeps one walk per question, not one per commit the mainline ever had
    question = hashlib.sha256(json.dumps(
        [mainline, with_tags, [(line.name, line.tip, line.tags if with_tags else ())
                               for line in lines]]).encode()).hexdigest()
    tips = json.dumps([main_tip, list(heads.items())], separators=(",", ":"))
    kept_tips, _, kept = cache.get(WALK, [question]).get(question, "").partition("\n")
    graph: dict[str, tuple[str, ...]] = {}
    if kept_tips == tips:  # one line each: the tips, the walk, the graph (JSON has no "\n")
        walked, _, graph_text = kept.partition("\n")
        walk = Walk.from_json(walked)
        graph = _graph(graph_text) if with_tags else {}
        facts = load_facts(git, cache, list(dict.fromkeys(
            [*walk.main, *(s for v in walk.lines.values() for s in v)])))
    else:
        graph = git.rev_graph([main_tip, *(h for hs in heads.values() for h in hs)])
        walk, facts = _walk(git, cache, graph, lines, heads, main_tip, mainline, with_tags)
        if _complete(git):
            parts = [tips, walk.to_json(), *([_graph_text(graph)] if with_tags else [])]
            cache.replace(WALK, {question: "\n".join(parts)})
    by_fork: dict[str, MainIndex] = {}
    indexes: dict[str, MainIndex] = {}
    if indexed:  # the audit reads them all: at once
        facts.decoded()
    main = [facts[s] for s in walk.main] if indexed else []
    for name in walk.lines if indexed else ():
        b = walk.bits.get(name, 0)
        fork = walk.forks[name] if b else ""
        if fork not in by_fork:
            by_fork[fork] = MainIndex([c for c, mask in zip(main, walk.masks, strict=True)
                                       if b and not mask & b],
                                      options.release, options.release_subjects)
        indexes[name] = by_fork[fork]
    return Window(walk.lines, indexes, walk.pre_fork, walk.main, facts, graph, tag_commits)


def _graph_text(graph: Mapping[str, tuple[str, ...]]) -> str:
    """``graph`` on one line: ``sha parent parent,sha parent,…`` (parents before children)."""
    return ",".join(" ".join((sha, *parents)) for sha, parents in graph.items())


def _graph(text: str) -> dict[str, tuple[str, ...]]:
    graph: dict[str, tuple[str, ...]] = {}
    for row in text.split(",") if text else ():
        sha, *parents = row.split(" ")
        graph[sha] = tuple(parents)
    return graph


def _complete(git: GitRepo) -> bool:
    """Whether the history is whole: a shallow clone's walk changes when it is deepened,
    though its tips do not, so it is never kept."""
    try:
        git.require_full_history()
    except UsageError:
        return False
    return True


def _walk(git: GitRepo, cache: Cache, graph: dict[str, tuple[str, ...]],
          lines: Sequence[LineRef], heads: Mapping[str, list[str]], main_tip: str,
          mainline: str, with_tags: bool) -> tuple[Walk, Facts]:
    """The ``Walk`` of ``graph``, and the facts of every commit it names."""
    on_main = ancestors(graph, {main_tip: 1})
    order = {sha: i for i, sha in enumerate(graph)}
    line_shas: dict[str, list[str]] = {}
    boundaries: dict[str, set[str]] = {}
    for line in lines:
        own, boundary = _line_part(graph, heads[line.name], on_main)
        if not boundary:
            raise NotFound(
                f"line {line.name} ({line.tip}) shares no history with the mainline "
                f"{mainline}",
                hint="set the mainline branch with `lines.mainline` in hotfix.toml, or fetch "
                     "the full history: `git fetch --unshallow`")
        boundaries[line.name] = boundary
        line_shas[line.name] = sorted((sha for sha in own if len(graph[sha]) <= 1),
                                      key=order.__getitem__)
    # a line without commits of its own (merged forward) has nothing to look up (the
    # audit's case; `contains` looks for the fix on the mainline since every fork)
    bit = {name: 1 << i for i, name in enumerate(n for n in boundaries
                                                 if line_shas[n] or with_tags)}
    seeds: dict[str, int] = {}
    for name, b in bit.items():
        for sha in boundaries[name]:
            seeds[sha] = seeds.get(sha, 0) | b
    has = ancestors(graph, seeds)  # mainline sha -> the lines that have it (bits)
    every = (1 << len(bit)) - 1
    main_shas = [sha for sha in graph if sha in on_main and has.get(sha, 0) != every] \
        if bit else []
    wanted = list(dict.fromkeys([*main_shas, *(s for v in line_shas.values() for s in v)]))
    facts = load_facts(git, cache, wanted)
    pre_fork = {name: _pre_fork((facts[s] for s in shas), _ShaSet(has, bit.get(name, 0)))
                for name, shas in line_shas.items()}
    return Walk(line_shas, {n: ",".join(sorted(b)) for n, b in boundaries.items()},
                main_shas, [has.get(s, 0) for s in main_shas], bit, pre_fork), facts


def ancestors(graph: dict[str, tuple[str, ...]], seeds: dict[str, int]) -> dict[str, int]:
    """For every commit that is an ancestor of (or is) a seed: the OR of those seeds'
    bits. One pass over ``graph`` children first (it lists parents before children)."""
    mask: dict[str, int] = dict(seeds)
    for sha in reversed(graph):
        bits = mask.get(sha)
        if bits:
            for parent in graph[sha]:
                mask[parent] = mask.get(parent, 0) | bits
    return mask


def _line_part(graph: dict[str, tuple[str, ...]], heads: Iterable[str],
               on_main: Container[str]) -> tuple[set[str], set[str]]:
    """The commits reachable from ``heads`` that the mainline lacks, and the mainline
    commits where that walk stops (the fork points)."""
    own: set[str] = set()
    boundary: set[str] = set()
    todo = [h for h in heads if h in graph]
    while todo:
        sha = todo.pop()
        if sha in own or sha in boundary:
            continue
        if sha in on_main:
            boundary.add(sha)
            continue
        own.add(sha)
        todo.extend(p for p in graph[sha] if p in graph)
    return own, boundary


class _ShaSet:
    """The mainline commits a line already has (its history before the fork: those whose
    ``has`` mask holds the line's bit), looked up by full or abbreviated SHA."""

    def __init__(self, has: Mapping[str, int], bit: int) -> None:
        self._has, self._bit = has, bit
        self._sorted: list[str] | None = None

    def find(self, sha: str) -> str | None:
        if self._has.get(sha, 0) & self._bit:
            return sha
        if len(sha) >= 40:
            return None
        if self._sorted is None:
            self._sorted = sorted(self._has)
        i = bisect.bisect_left(self._sorted, sha)
        found = self._sorted[i] if i < len(self._sorted) else ""
        return found if found.startswith(sha) and self._has[found] & self._bit else None


def resolve(git: GitRepo, rev: str) -> str:
    """The commit a line or mainline ref names; ``NotFound`` says how to fetch it."""
    return git.require_commit(rev, hint=FETCH_HINT)


def _release_only(git: GitRepo, cache: Cache, commits: Sequence[CommitInfo],
                  release: ReleaseFiles) -> frozenset[str]:
    """The commits that only do release bookkeeping. Whether a commit touching only version
    files only sets versions is read from its diff once, then kept in the cache (by the
    commit and the release files it was judged with)."""
    kinds = {c.sha: release.kind(c.files) for c in commits}
    judged = hashlib.sha256(json.dumps([release.globs, release.version_files]).encode()
                            ).hexdigest()[:16]
    keys = {sha: f"{sha}:{judged}" for sha, kind in kinds.items() if kind is Kind.VERSION}
    kept = cache.get(VERSION_ONLY, keys.values())
    patches = git.diffs([sha for sha, key in keys.items() if key not in kept])
    fresh = {keys[sha]: "1" if release.version_only(text) else "" for sha, text in patches.items()}
    cache.put(VERSION_ONLY, fresh)
    verdicts = kept | fresh
    return frozenset(sha for sha, kind in kinds.items()
                     if kind is Kind.RELEASE or (kind is Kind.VERSION and verdicts[keys[sha]]))


def select_lines(ctx: Context, names: Sequence[str] = ()) -> list[ReleaseLine]:
    """The lines named (``X.Y`` or a branch name; supported or not), else every supported
    line, oldest first."""
    found = discover_lines(ctx.git, ctx.cfg)
    if not names:
        return [line for line in found if line.supported]
    return pick_lines(found, names)


def line_refs(lines: Iterable[ReleaseLine]) -> list[LineRef]:
    return [LineRef(line.name, line.tip, line.tags) for line in lines]


def audit(ctx: Context, names: Sequence[str] = ()) -> list[LineAudit]:
    """``hotfix audit``: the discovered lines against the mainline, with recorded waivers.
    It moves no ref, so they are read once (``frozen_refs``)."""
    from hotfix.services.git.waivers import all_waivers

    ctx = replace(ctx, git=ctx.git.frozen_refs())
    return audit_refs(ctx.git, ctx.cache, line_refs(select_lines(ctx, names)),
                      mainline=mainline_ref(ctx.git, ctx.cfg),
                      options=AuditOptions.from_config(ctx.cfg), waivers=all_waivers(ctx))
