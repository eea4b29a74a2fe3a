"""``hotfix audit``: is every change made on a release line also in the mainline?

The work, in as few git processes as possible:

1. per line: its fork point from the mainline and its commits since (``rev-list``);
2. the mainline window since the oldest fork (``rev-list``), then the facts of every commit
   involved from the cache or ONE ``git log --stdin``;
3. trailers first; only what they leave open needs patch-ids, and only mainline commits that
   touch exactly the same files can share one: ONE ``diff-tree | patch-id`` for those;
4. the pure decisions of ``hotfix.domain.audit.equivalence``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hotfix.config import Config
from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.equivalence import (
    Evidence,
    LineAudit,
    MainIndex,
    Waiver,
    audit_line,
    by_trailer,
)
from hotfix.domain.audit.release_files import Kind, ReleaseFiles
from hotfix.errors import NotFound
from hotfix.ports import Cache, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.commit_facts import load_commits, load_patch_ids, merge_base
from hotfix.services.git.lines import ReleaseLine, discover_lines, mainline_ref

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

    @classmethod
    def from_config(cls, cfg: Config) -> AuditOptions:
        """``audit.*``, plus the changelog and version files ``hotfix release`` writes."""
        globs = [*cfg.list("audit.release_only_globs"), cfg.str("lines.changelog")]
        versions = [*cfg.list("audit.version_files"), *cfg.list("lines.version_files")]
        return cls(ReleaseFiles(tuple(dict.fromkeys(str(g) for g in globs)),
                                tuple(dict.fromkeys(str(v) for v in versions))),
                   cfg.bool("audit.subject_fallback"))


@dataclass(frozen=True)
class Window:
    """The commits an audit looks at: each line's since its fork, and the mainline's."""

    lines: dict[str, list[CommitInfo]]
    index: MainIndex


def audit_refs(git: GitRepo, cache: Cache, lines: Sequence[LineRef], *, mainline: str,
               options: AuditOptions, waivers: Iterable[Waiver] = ()) -> list[LineAudit]:
    """Audit ``lines`` against the ``mainline`` ref (see the module docstring)."""
    window = read_window(git, cache, lines, mainline, options.release)
    pending = [c for commits in window.lines.values() for c in commits
               if by_trailer(c, window.index) is None]
    release_only = _release_only(git, pending, options.release)
    code = [c for c in pending if c.sha not in release_only and not c.is_release]
    candidates = window.index.patch_id_candidates(code)
    pids = load_patch_ids(git, cache, [c.sha for c in (*code, *candidates)])
    main_pids = {pids[c.sha]: c.sha for c in candidates if pids.get(c.sha)}
    by_line: dict[str, dict[str, Waiver]] = {}
    for waiver in waivers:
        by_line.setdefault(waiver.line, {})[waiver.sha] = waiver
    return [audit_line(name, commits, window.index, Evidence(
        patch_ids=pids, main_by_patch_id=main_pids, release_only=release_only,
        waivers=by_line.get(name, {}), subject_fallback=options.subject_fallback))
        for name, commits in window.lines.items()]


def read_window(git: GitRepo, cache: Cache, lines: Sequence[LineRef], mainline: str,
                release: ReleaseFiles) -> Window:
    main_tip = resolve(git, mainline)
    forks: dict[str, str] = {}
    line_shas: dict[str, list[str]] = {}
    for line in lines:
        tip = resolve(git, line.tip)
        forks[line.name] = _fork(git, cache, line, tip, main_tip, mainline)
        line_shas[line.name] = git.rev_list(tip, [forks[line.name]])
    unique = sorted(set(forks.values()))
    base = merge_base(git, cache, *unique) if len(unique) > 1 else None
    main_shas = git.rev_list(main_tip, [base or next(iter(forks.values()), main_tip)])
    wanted = list(dict.fromkeys([*main_shas, *(s for v in line_shas.values() for s in v)]))
    facts = load_commits(git, cache, wanted)
    index = MainIndex((facts[s] for s in main_shas), release)
    return Window({n: [facts[s] for s in shas] for n, shas in line_shas.items()}, index)


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
    """The lines named (any, supported or not), else every supported line, oldest first."""
    found = discover_lines(ctx.git, ctx.cfg)
    if not names:
        return [line for line in found if line.supported]
    by_name = {line.name: line for line in found}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise NotFound(f"no release line {', '.join(unknown)} "
                       f"(lines: {', '.join(by_name) or 'none'})",
                       hint="see them: hotfix lines")
    return [by_name[name] for name in dict.fromkeys(names)]


def line_refs(lines: Iterable[ReleaseLine]) -> list[LineRef]:
    return [LineRef(line.name, line.tip, line.tags) for line in lines]


def audit(ctx: Context, names: Sequence[str] = ()) -> list[LineAudit]:
    """``hotfix audit``: the discovered lines against the mainline, with recorded waivers."""
    from hotfix.services.git.waivers import all_waivers

    return audit_refs(ctx.git, ctx.cache, line_refs(select_lines(ctx, names)),
                      mainline=mainline_ref(ctx.git, ctx.cfg),
                      options=AuditOptions.from_config(ctx.cfg), waivers=all_waivers(ctx))
