"""``hotfix contains SHA|HF-N``: which released versions really ship a fix.

The fix is a commit (any ref), or every commit with the trailer ``Hotfix-Id: HF-N``. Its
equivalents (*carriers*) are found among the mainline (merges included), the release lines
since they forked and the history of every release tag (so a hotfix's own release, tagged
on its ``hotfix/`` branch, counts) by the same trailers, patch-ids and subject fallback as
``hotfix audit``; the reverts of a carrier (``This reverts commit …``, and their picks) too.
Then every release tag is decided from its history AND its tree
(``hotfix.domain.audit.shipped``): the fix's patch is looked for, hunk by hunk, in the
files of the tag, so a fix reverted before a release is not in it, a fix re-done by other
means is, and a pick that lost part of the fix is *partial*.

Git processes, however many tags: the audit's walk and commit facts, ONE ``diff-tree -p``
for the patches of the fix and its carriers, ONE ``cat-file --batch-check`` and ONE
``cat-file --batch`` for the touched files at every tag (``hotfix.services.git.trees``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.equivalence import (
    Evidence,
    MainIndex,
    Match,
    ShaMap,
    Status,
    decide,
)
from hotfix.domain.audit.hunks import FilePatch, code_files, parse_patch
from hotfix.domain.audit.presence import Tally
from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.domain.audit.shipped import Shipped, State, TagEvidence, judge
from hotfix.errors import NotFound
from hotfix.ports import Cache, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.audit import (
    AuditOptions,
    LineRef,
    ancestors,
    line_refs,
    read_window,
    resolve,
)
from hotfix.services.git.commit_facts import Facts, load_commits, load_patch_ids, needle_file
from hotfix.services.git.lines import discover_lines, mainline_ref
from hotfix.services.git.trees import TagTrees


@dataclass(frozen=True)
class Carrier:
    """A commit that carries the fix; ``match`` says why (None: it is the fix itself)."""

    sha: str
    subject: str
    match: Match | None

    def to_dict(self) -> dict[str, Any]:
        return {"sha": self.sha, "subject": self.subject,
                "match": self.match.to_dict() if self.match else None}


@dataclass(frozen=True)
class LineHas:
    """One line's release tags, oldest first, split by whether they ship the fix."""

    line: str
    tags: tuple[str, ...]
    missing: tuple[str, ...]
    newest: str | None
    partial: tuple[str, ...] = ()

    @property
    def in_newest(self) -> bool:
        return self.newest is not None and self.newest in self.tags

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "tags": list(self.tags), "missing": list(self.missing),
                "partial": list(self.partial)}


@dataclass(frozen=True)
class Containment:
    fix: str
    commits: tuple[Carrier, ...]
    tags: tuple[str, ...]  # every release tag that ships the fix
    lines: tuple[LineHas, ...]
    releases: tuple[Shipped, ...] = ()  # every release tag, how it was decided

    def to_dict(self) -> dict[str, Any]:
        return {"fix": self.fix, "commits": [c.to_dict() for c in self.commits],
                "tags": list(self.tags), "lines": [line.to_dict() for line in self.lines],
                "releases": [r.to_dict() for r in self.releases]}


OnProgress = Callable[[str], None]


def contains_refs(git: GitRepo, cache: Cache, query: str, lines: Sequence[LineRef], *,
                  mainline: str, options: AuditOptions, hotfix_id: str | None = None,
                  on_progress: OnProgress = lambda _: None) -> Containment:
    """Where the fix ``query`` (a commit, or the hotfix ``hotfix_id``) was released."""
    on_progress("reading the history of the mainline, the lines and their tags")
    window = read_window(git, cache, lines, mainline, options, with_tags=True, indexed=False)
    pool = Pool(window.facts, list(dict.fromkeys(
        [*window.main_shas, *(s for shas in window.line_shas.values() for s in shas)])))
    targets = _targets(git, cache, query, hotfix_id, pool)
    carriers = _carriers(git, cache, targets, pool, options, frozenset(window.main_shas))
    reverts = _reverts(carriers, pool)
    tags = {t: window.tag_commits[t] for line in lines for t in line.tags
            if t in window.tag_commits}
    on_progress(f"{len(carriers)} commit(s) carry the fix; checking {len(tags)} release "
                f"tag(s) from their history and their trees")
    verdicts = _judge_tags(git, window.graph, tags, _roots(targets),
                           [c.sha for c in carriers], reverts, options.release)
    return Containment(hotfix_id or query, carriers,
                       tuple(t for t, v in verdicts.items() if v.state is State.PRESENT),
                       tuple(_line_has(line, verdicts) for line in lines),
                       tuple(verdicts.values()))


def _line_has(line: LineRef, verdicts: Mapping[str, Shipped]) -> LineHas:
    states = {t: verdicts[t].state for t in line.tags if t in verdicts}
    return LineHas(line.name, _with(states, State.PRESENT), _with(states, State.ABSENT),
                   line.tags[-1] if line.tags else None, _with(states, State.PARTIAL))


def _with(states: Mapping[str, State], wanted: State) -> tuple[str, ...]:
    return tuple(t for t, state in states.items() if state is wanted)


def _judge_tags(git: GitRepo, graph: dict[str, tuple[str, ...]], tags: Mapping[str, str],
                roots: Sequence[str], carriers: Sequence[str], reverts: Sequence[str],
                release: ReleaseFiles) -> dict[str, Shipped]:
    """Each tag's verdict from its history (``graph``) and its tree (touched files)."""
    bits = {tag: 1 << i for i, tag in enumerate(tags)}
    seeds: dict[str, int] = {}
    for tag, sha in tags.items():
        seeds[sha] = seeds.get(sha, 0) | bits[tag]
    has = ancestors(graph, seeds)  # commit -> the tags whose history has it
    order = {sha: i for i, sha in enumerate(graph)}
    carriers, reverts = list(dict.fromkeys(carriers)), list(dict.fromkeys(reverts))
    texts = git.diffs(list(dict.fromkeys([*roots, *carriers])))
    patches = {sha: code_files(parse_patch(text), release) for sha, text in texts.items()}
    trees = TagTrees(git, tags, list(dict.fromkeys(f.path for p in patches.values()
                                                   for f in p)))
    walked = sorted((s for s in {*carriers, *reverts} if s in order), key=order.__getitem__)
    undo = set(reverts)
    out: dict[str, Shipped] = {}
    for tag, bit in bits.items():
        held = [s for s in walked if has.get(s, 0) & bit]  # oldest first
        fix = sum((trees.tally(tag, patches[r]) for r in roots), Tally())
        out[tag] = judge(TagEvidence(tag, [(s, s in undo) for s in held], fix,
                                     _Tallies(trees, tag, patches, carriers)))
    return out


class _Tallies(Mapping[str, Tally]):
    """Each carrier's own patch against one tag's tree, tallied when ``judge`` asks: it
    asks about the carriers in the tag's history, and about the others only when nothing
    else decided (a fix the bots picked onto every line has hundreds of carriers)."""

    def __init__(self, trees: TagTrees, tag: str, patches: Mapping[str, Sequence[FilePatch]],
                 carriers: Sequence[str]) -> None:
        self._trees, self._tag, self._patches, self._carriers = trees, tag, patches, carriers
        self._known = frozenset(carriers)

    def __getitem__(self, sha: str) -> Tally:
        if sha not in self._known:
            raise KeyError(sha)
        return self._trees.tally(self._tag, self._patches[sha])

    def __iter__(self) -> Iterator[str]:
        return iter(self._carriers)

    def __len__(self) -> int:
        return len(self._carriers)


def _roots(targets: Sequence[CommitInfo]) -> list[str]:
    """The fix's own commits: the targets not picked from another target (a ``-x`` pick
    of the fix onto a hotfix branch is a carrier, not more of the fix)."""
    known = ShaMap()
    for target in targets:
        known.add(target.sha, target)
    roots = [t.sha for t in targets
             if not any(known.get(o) is not None for o in t.origins - {t.sha})]
    return roots or [t.sha for t in targets]


@dataclass(frozen=True)
class Pool:
    """Where carriers are looked for: the mainline since the oldest fork, every line and
    the history of every tag — the whole history, often. A commit's facts are decoded only
    when their text names what is looked for (``Facts.containing``): the tests below then
    run on a few hundred commits, not on tens of thousands."""

    facts: Facts
    shas: list[str]  # oldest first, the mainline's before the lines'

    def naming(self, needles: Iterable[str], named: tuple[str, ...] = ()) -> list[CommitInfo]:
        return self.facts.containing(self.shas, needles, named)


def _targets(git: GitRepo, cache: Cache, query: str, hotfix_id: str | None,
             pool: Pool) -> list[CommitInfo]:
    if hotfix_id is None:
        sha = resolve(git, query)
        return [load_commits(git, cache, [sha])[sha]]
    found = list({c.sha: c for c in pool.naming([hotfix_id])
                  if hotfix_id in c.hotfix_ids and not c.is_release}.values())
    if not found:
        raise NotFound(f"no commit on the mainline or a release line has the trailer "
                       f"Hotfix-Id: {hotfix_id}",
                       hint=f"pick the fix with `hotfix pick {hotfix_id} SHA`, or ask "
                            f"about the commit itself: hotfix contains SHA")
    return found


def _carriers(git: GitRepo, cache: Cache, targets: list[CommitInfo],
              pool: Pool, options: AuditOptions, mainline: frozenset[str]
              ) -> tuple[Carrier, ...]:
    index = MainIndex(targets, options.release, options.release_subjects, one_change=True)
    named = tuple(o for t in targets for o in t.origins)
    # what a carrier's facts must name: a file of the fix, an origin of it, what it
    # reverts, its PR (``_could_match`` says which of those match)
    near = pool.naming([*(needle_file(f) for t in targets for f in t.files),
                        *(o[:7] for o in named), *(r[:7] for t in targets for r in t.reverts),
                        *(str(n) for t in targets for n in t.prs)], named)
    fix = {t.sha for t in targets}
    # another mainline change with the fix's subject: the subject names neither (as in
    # the audit, whose index is the whole mainline)
    index.count_against(c for c in near if c.sha in mainline and c.sha not in fix)
    same_files = {frozenset(t.files) for t in targets}
    suspects = [c for c in near if frozenset(c.files) in same_files]
    pids = load_patch_ids(git, cache, [c.sha for c in (*targets, *suspects)])
    evidence = Evidence(patch_ids=pids, subject_fallback=options.subject_fallback,
                        release_subjects=options.release_subjects,
                        main_by_patch_id={pids[t.sha]: t.sha for t in targets if pids[t.sha]})
    out = {t.sha: Carrier(t.sha, t.subject, None) for t in targets}
    for commit in _could_match(targets, near, index):
        verdict = decide(commit, index, evidence)
        if commit.sha not in out and verdict.status is Status.IN_MAINLINE:
            out[commit.sha] = Carrier(commit.sha, commit.subject, verdict.match)
    return tuple(out.values())


def _could_match(targets: Sequence[CommitInfo], pool: Sequence[CommitInfo],
                 index: MainIndex) -> list[CommitInfo]:
    """The commits of ``pool`` (those ``Pool.naming`` found) that ``decide`` could match to
    a target (``index``): a common file (for a patch-id, a subject, a ``Hotfix-Id``), an
    origin in common (either one's trailer naming the other, or both the same commit), a
    revert of the same commit, or a PR in common — so the rest of a long history is never
    normalised and compared."""
    files = {f for t in targets for f in t.files}
    named = tuple(o for t in targets for o in t.origins)  # a commit without a trailer
    # matches by origin only as a commit a target names
    prs = frozenset(n for t in targets for n in t.prs)
    cited = tuple(str(n) for n in prs)

    def cites(commit: CommitInfo) -> bool:  # its number in the subject: a cheap test first
        return bool(prs) and (bool(commit.backport_prs) or any(n in commit.subject
                                                               for n in cited)) \
            and not prs.isdisjoint(commit.prs)

    return [c for c in pool
            if not files.isdisjoint(c.files)
            or (index.by_origin(c) is not None if c.cherry_from or c.backport_of
                else c.sha.startswith(named))
            or (c.reverts and index.by_revert_target(c) is not None) or cites(c)]


def _reverts(carriers: Sequence[Carrier], pool: Pool) -> list[str]:
    """Commits of ``pool`` that revert a carrier, and the picks of those reverts."""
    by_sha = ShaMap()
    for carrier in carriers:
        by_sha.add(carrier.sha, _as_commit(carrier))
    found = [c for c in pool.naming(c.sha[:7] for c in carriers)
             if c.reverts and any(by_sha.get(t) is not None for t in c.reverts)]
    undo = ShaMap()
    for commit in found:
        undo.add(commit.sha, commit)
    seen = {c.sha for c in found}
    picks = [c for c in pool.naming(c.sha[:7] for c in found)
             if (c.cherry_from or c.backport_of) and c.sha not in seen
             and any(undo.get(o) is not None for o in c.origins - {c.sha})]
    return list(dict.fromkeys(c.sha for c in (*found, *picks)))


def _as_commit(carrier: Carrier) -> CommitInfo:
    return CommitInfo(sha=carrier.sha, subject=carrier.subject)


def hotfix_id_of(query: str, prefix: str) -> str | None:
    """``HF-3`` (any case) → ``"HF-3"``; anything else is a commit."""
    match = re.fullmatch(rf"({re.escape(prefix)})-(\d+)", query.strip(), re.I)
    return f"{prefix.upper()}-{int(match.group(2))}" if match else None


def contains(ctx: Context, query: str, on_progress: OnProgress = lambda _: None
             ) -> Containment:
    """``hotfix contains SHA|HF-N`` over every discovered line and its release tags. It
    moves no ref, so they are read once (``frozen_refs``)."""
    ctx = replace(ctx, git=ctx.git.frozen_refs())
    lines = discover_lines(ctx.git, ctx.cfg)
    return contains_refs(ctx.git, ctx.cache, query, line_refs(lines),
                         mainline=mainline_ref(ctx.git, ctx.cfg),
                         options=AuditOptions.from_config(ctx.cfg),
                         hotfix_id=hotfix_id_of(query, ctx.cfg.str("records.prefix")),
                         on_progress=on_progress)
