"""``hotfix audit``: is every change made on a release line also in the mainline?

The work, in as few git processes as possible:

1. per line: its fork point from the mainline and its commits since (``rev-list``);
2. the mainline since the oldest fork, merge commits included (``rev-list``), and per fork
   point the part of it after that fork; then the facts of every commit involved from the
   cache or ONE ``git log --stdin``;
3. trailers first; only what they leave open needs patch-ids, and only mainline commits that
   touch exactly the same files can share one: ONE ``diff-tree | patch-id`` for those;
4. the pure decisions of ``hotfix.domain.audit.equivalence``, each line against the mainline
   since ITS fork only: a commit's verdict never depends on which other lines are audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
from hotfix.errors import ConfigError, NotFound
from hotfix.ports import Cache, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.commit_facts import load_commits, load_patch_ids, merge_base
from hotfix.services.git.lines import ReleaseLine, discover_lines, mainline_ref, pick_lines

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
    that fork (``indexes``, by line); ``main`` is every mainline commit read, oldest first."""

    lines: dict[str, list[CommitInfo]]
    indexes: dict[str, MainIndex]
    forks: dict[str, str]
    main: list[CommitInfo]


def audit_refs(git: GitRepo, cache: Cache, lines: Sequence[LineRef], *, mainline: str,
               options: AuditOptions, waivers: Iterable[Waiver] = ()) -> list[LineAudit]:
    """Audit ``lines`` against the ``mainline`` ref (see the module docstring)."""
    window = read_window(git, cache, lines, mainline, options)
    pending = {name: [c for c in commits if by_trailer(c, window.indexes[name]) is None]
               for name, commits in window.lines.items()}
    release_only = _release_only(git, [c for cs in pending.values() for c in cs],
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
                            pre_fork=_pre_fork(git, pending[name], window.forks[name]))
        out.append(audit_line(name, commits, window.indexes[name], evidence))
    return out


def _pre_fork(git: GitRepo, commits: Sequence[CommitInfo], fork: str) -> dict[str, str]:
    """Line commits whose trailer names a mainline commit older than the fork (a re-pick
    after a revert, say): outside the window, so asked of git one by one (they are few)."""
    found: dict[str, str] = {}
    for commit in commits:
        for origin in sorted(commit.origins - {commit.sha}):
            if git.is_ancestor(origin, fork):
                found[commit.sha] = origin
                break
    return found


def read_window(git: GitRepo, cache: Cache, lines: Sequence[LineRef], mainline: str,
                options: AuditOptions, *, with_tags: bool = False) -> Window:
    """The commits of each line since its fork (with ``with_tags``: of its release tags
    too, a release that is not on the line's branch) and of the mainline since then, from
    ONE walk of the history since the oldest fork (``rev-list --parents``)."""
    main_tip = resolve(git, mainline)
    forks: dict[str, str] = {}
    heads: dict[str, list[str]] = {}
    for line in lines:
        tip = resolve(git, line.tip)
        forks[line.name] = _fork(git, cache, line, tip, main_tip, mainline)
        heads[line.name] = [tip, *(line.tags if with_tags else ())]
    unique = sorted(set(forks.values()))
    base = merge_base(git, cache, *unique) if len(unique) > 1 else None
    stop = base or next(iter(unique), main_tip)
    graph = git.rev_graph([main_tip, *(h for hs in heads.values() for h in hs)], [stop])
    on_main = _reach(graph, [main_tip])
    before = {fork: _reach(graph, [fork]) for fork in unique}
    main_shas = [sha for sha in graph if sha in on_main]
    line_shas = {name: [sha for sha in graph if sha in reached and len(graph[sha]) <= 1]
                 for name, reached in ((n, _reach(graph, hs, before[forks[n]]))
                                       for n, hs in heads.items())}
    wanted = list(dict.fromkeys([*main_shas, *(s for v in line_shas.values() for s in v)]))
    facts = load_commits(git, cache, wanted)
    main = [facts[s] for s in main_shas]
    by_fork = {fork: MainIndex([c for c in main if c.sha not in done], options.release,
                               options.release_subjects) for fork, done in before.items()}
    return Window({n: [facts[s] for s in shas] for n, shas in line_shas.items()},
                  {n: by_fork[f] for n, f in forks.items()}, forks, main)


def _reach(graph: dict[str, tuple[str, ...]], heads: Iterable[str],
           stop: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """The commits of ``graph`` reachable from ``heads`` without passing through ``stop``."""
    seen: set[str] = set()
    todo = [h for h in heads if h in graph and h not in stop]
    while todo:
        sha = todo.pop()
        if sha in seen:
            continue
        seen.add(sha)
        todo.extend(p for p in graph[sha] if p in graph and p not in seen and p not in stop)
    return seen


def resolve(git: GitRepo, rev: str) -> str:
    """The commit a line or mainline ref names; ``NotFound`` says how to fetch it."""
    return git.require_commit(rev, hint=FETCH_HINT)


def _fork(git: GitRepo, cache: Cache, line: LineRef, tip: str, main_tip: str,
          mainline: str) -> str:
    fork = merge_base(git, cache, tip, main_tip)
    if fork is None:
        raise NotFound(
            f"line {line.name} ({line.tip}) shares no history with the mainline {mainline}",
            hint="set the mainline branch with `lines.mainline` in hotfix.toml, or fetch the "
                 "full history: `git fetch --unshallow`")
    return fork


def _release_only(git: GitRepo, commits: Sequence[CommitInfo],
                  release: ReleaseFiles) -> frozenset[str]:
    kinds = {c.sha: release.kind(c.files) for c in commits}
    check = [sha for sha, kind in kinds.items() if kind is Kind.VERSION]
    patches = git.diffs(check)
    return frozenset(sha for sha, kind in kinds.items()
                     if kind is Kind.RELEASE or (kind is Kind.VERSION
                                                 and release.version_only(patches[sha])))


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
    """``hotfix audit``: the discovered lines against the mainline, with recorded waivers."""
    from hotfix.services.git.waivers import all_waivers

    return audit_refs(ctx.git, ctx.cache, line_refs(select_lines(ctx, names)),
                      mainline=mainline_ref(ctx.git, ctx.cfg),
                      options=AuditOptions.from_config(ctx.cfg), waivers=all_waivers(ctx))
