"""Fold a port back into its target: does the target's own branch hold the fix yet?

A port sits on ``backport/HF-N-<target>`` until someone merges it. A target counts as done
(``merged``) only when its own ref contains the fix — by ancestry, a ``-x``/``Backport-Of``
trailer, or the same patch — or every commit of the port. With ``--merge`` the target branch
is fast-forwarded to the port when that is safe: by an atomic compare-and-swap of the ref
when no worktree has it checked out, else by ``git merge --ff-only`` in that worktree, and
only when it is clean. Otherwise the target stays ``ported``, with why and the command.

A release lands on its own line the same way (``land``): the tagged release commit onto
the line's maintenance branch, by a fast-forward, or — when the branch moved on since the
hotfix started and ``release.land`` is ``merge`` — by a merge commit made in a clean
checkout of it; a conflicting merge is undone and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.config import CONFIG_FILE
from hotfix.domain.release.lines import find_line
from hotfix.errors import ConfigError
from hotfix.ports import Commit, Worktree
from hotfix.services.context import Context
from hotfix.services.git import lines as lines_svc
from hotfix.services.git.porting import (
    CONFLICT,
    MERGED,
    PORTED,
    PRESENT,
    TargetResult,
    missing_fixes,
)
from hotfix.services.git.steps import Work

# TargetResult.merge: what became of folding the port into the target's branch
FORWARDED, BY_HAND, NOT_ASKED, MOVED, DIRTY, BUSY, REFUSED, REMOTE_ONLY, NO_BRANCH = (
    "fast-forwarded", "by hand", "not asked", "moved", "dirty", "busy", "refused",
    "remote only", "no branch")
MERGE_COMMIT = "merge commit"  # a release landed on a line that had moved on
UNTESTED = "check failed"  # the test gate on the port stopped the merge
LAND_MODES = ("merge", "ff-only", "off")
# --merge was asked and a local branch could not move
HELD = (MOVED, DIRTY, BUSY, REFUSED, UNTESTED)
Gate = Callable[[TargetResult], str | None]  # why the port may not be merged, or None


@dataclass(frozen=True)
class Fold:
    key: str
    target: str  # "1.2" or "main"
    tip: str  # the target's own ref
    merge: bool  # --merge

    def again(self, merge: bool = True) -> str:
        return f"hotfix backport {self.key} --to {self.target}" + (" --merge" if merge else "")


def missing(ctx: Context, tip: str, base: str, fixes: Sequence[Commit],
            port_branch: str | None) -> list[Commit]:
    """The fixes ``tip`` itself lacks; none when it has every commit of the port branch."""
    lacking = missing_fixes(ctx.git, tip, base, fixes)
    if lacking and port_branch is not None and ctx.git.branch_exists(port_branch) \
            and ctx.git.all_landed(tip, f"refs/heads/{port_branch}"):
        return []
    return lacking


def fold(ctx: Context, fold: Fold, result: TargetResult,
         source: str | None = None, gate: Gate | None = None) -> TargetResult:
    """``result`` is ported: fast-forward the target to it (``--merge``), or say how to.

    ``source``: the commit to move the target to (default: the head of ``result.branch``);
    ``gate``: asked just before the target would move (the port's check)."""
    result.into, branch = fold.tip, str(result.branch)
    kind = ctx.git.ref_kind(fold.tip)
    if kind != "local":
        return _elsewhere(ctx, fold, result, kind)
    source = source or f"refs/heads/{branch}"
    new = ctx.git.require_commit(source)
    old = ctx.git.require_commit(f"refs/heads/{fold.tip}")
    if not ctx.git.is_ancestor(old, new):
        return _held(result, MOVED, f"{fold.tip} moved on since {branch} was made, so it is "
                     "not a fast-forward; left as it is",
                     f"git -C {result.worktree} rebase {fold.tip} && {fold.again()}")
    if not fold.merge:
        return _held(result, NOT_ASKED, f"on {branch}, not merged into {fold.tip} yet",
                     fold.again())
    return _advance(ctx, fold, result, new, old, source, gate)


def _advance(ctx: Context, fold: Fold, result: TargetResult, new: str,
             old: str, source: str, gate: Gate | None) -> TargetResult:
    tree = ctx.git.worktree_of(fold.tip)
    held = _unsafe(ctx, fold, result, tree) or _gated(fold, result, gate)
    if held is not None:
        return held
    if tree is None:
        if not ctx.git.swap(fold.tip, new, old):
            return _held(result, MOVED, f"{fold.tip} moved while hotfix worked; left as it is",
                         fold.again())
    else:
        refusal = ctx.git.fast_forward(tree.path, source)
        if refusal is not None:
            return _held(result, REFUSED, f"git merge --ff-only in {tree.path} refused: "
                         f"{refusal}", fold.again())
    result.status, result.merge, result.next = MERGED, FORWARDED, None
    result.message = f"{fold.tip} fast-forwarded to {result.branch} ({old[:12]}..{new[:12]})"
    return result


def _unsafe(ctx: Context, fold: Fold, result: TargetResult,
            tree: Worktree | None) -> TargetResult | None:
    """``result`` held when ``fold.tip`` must not move now: a rebase or bisect of it under
    way, its checkout gone or with changes; None when it may."""
    if tree is None:
        busy = ctx.git.busy_with(fold.tip)
        if busy is None:
            return None
        return _held(result, BUSY, f"{fold.tip} is being rebased or bisected in {busy}; "
                     "left as it is", f"finish that in {busy}, then: {fold.again()}")
    if tree.prunable:
        return _held(result, BUSY, f"{fold.tip} is checked out in {tree.path}, which is gone",
                     f"git worktree prune && {fold.again()}")
    changes = _changes(ctx, tree.path)
    if not changes:
        return None
    shown = ", ".join(changes[:3]) + (", …" if len(changes) > 3 else "")
    return _held(result, DIRTY, f"{fold.tip} is checked out in {tree.path}, which has "
                 f"uncommitted changes ({shown}); not touched",
                 f"commit or stash them in {tree.path}, then: {fold.again()}")


def _changes(ctx: Context, tree: Path) -> list[str]:
    """What makes a checkout unsafe to move: its changes, except hotfix's own settings file
    (``hotfix.toml``, committed or not) — git itself refuses a merge that would touch it."""
    return [c for c in ctx.git.local_changes(tree) if c != CONFIG_FILE]


def _gated(fold: Fold, result: TargetResult, gate: Gate | None) -> TargetResult | None:
    """``result`` held when the gate (the port's check) refuses the merge, else None."""
    refusal = gate(result) if gate is not None else None
    if refusal is None:
        return None
    return _held(result, UNTESTED, f"not merged into {fold.tip}: the check of {result.branch} "
                 f"did not pass — {refusal}",
                 f"fix it in {result.worktree} (commit on {result.branch}), then: "
                 f"{fold.again()}")


def writable(ctx: Context, fold: Fold, result: TargetResult) -> TargetResult | Path:
    """Where ``fold.tip`` can take a commit: the clean worktree that has it checked out, or
    a fresh one (``landing_tree``); else ``result`` held with the reason."""
    tree = ctx.git.worktree_of(fold.tip)
    held = _unsafe(ctx, fold, result, tree)
    if held is not None:
        return held
    if tree is not None:
        return tree.path
    path = landing_tree(ctx, fold)
    ctx.git.add_worktree(path, fold.tip, None)
    return path


def land_mode(ctx: Context) -> str:
    mode = ctx.cfg.str("release.land")
    if mode not in LAND_MODES:
        raise ConfigError(f"release.land is {mode!r}; it is one of {', '.join(LAND_MODES)}",
                          hint='set it in hotfix.toml, e.g. [release] land = "merge"')
    return mode


def landing_tree(ctx: Context, fold: Fold) -> Path:
    """The worktree a merge into a branch checked out nowhere is made in (then removed)."""
    return ctx.git.worktree_path(f"{fold.key}-{fold.target}-land")


def land(ctx: Context, work: Work, release_commit: str, *, merge: bool, mode: str,
         prior: Mapping[str, Any] | None = None) -> TargetResult:
    """The release commit onto its line's maintenance branch (``9.0.x``, ``release/9.0``).

    A fast-forward when the branch is where the hotfix started (or behind it); when it moved
    on, a merge commit (``mode`` ``merge``) or nothing (``ff-only``). A line with only tags
    has nothing to land on: its newest tag is the release. ``merge`` False only reports."""
    line = find_line(lines_svc.discover_lines(ctx.git, ctx.cfg), work.line)
    if line is None or line.branch is None:
        return TargetResult(work.line, PRESENT, into=work.tag, merge=NO_BRANCH,
                            message=f"line {work.line} has no maintenance branch; its newest "
                                    f"release is the tag {work.tag}")
    fold_ = Fold(work.key, work.line, line.branch, merge)
    result = TargetResult(work.line, PORTED, work.branch, None, [release_commit])
    if ctx.git.is_ancestor(release_commit, ctx.git.require_commit(line.branch)):
        earlier = prior is not None and prior.get("status") == MERGED
        result.status, result.into = MERGED, line.branch
        result.merge = str(prior.get("merge")) if earlier and prior else BY_HAND
        result.message = f"{line.branch} has the release {work.tag}"
        return result
    done = fold(ctx, fold_, result, source=release_commit)
    if done.merge != MOVED:
        return done
    if mode != "merge" or not merge:
        done.next = (f"git -C <a checkout of {line.branch}> merge {work.tag}; then: "
                     f"hotfix backport {work.key} --to {work.line}") if mode != "merge" \
            else fold_.again()
        done.message = (f"{line.branch} moved on since {work.base_tag}, so {work.tag} is not a "
                        "fast-forward; " + ("release.land is ff-only: " if mode != "merge"
                                             else "") + "left as it is")
        return done
    return _merge(ctx, fold_, done, work, release_commit)


def _merge(ctx: Context, fold: Fold, result: TargetResult, work: Work,
           commit: str) -> TargetResult:
    """A merge commit of the release into the line's branch, in a clean checkout of it."""
    where = writable(ctx, fold, result)
    if isinstance(where, TargetResult):
        return where
    made = where == landing_tree(ctx, fold)
    old = ctx.git.require_commit(f"refs/heads/{fold.tip}")
    message = (f"Merge release {work.tag} into {fold.tip}\n\nHotfix-Id: {work.key}\n"
               f"Hotfix-Release: {work.tag}\n")
    try:
        reason, files = ctx.git.merge(where, commit, message)
    finally:
        if made:
            ctx.git.remove_worktree(where)
    if reason is not None:
        by_hand = (f"git switch {fold.tip} && git merge {work.tag}; resolve, commit; then: "
                   f"hotfix backport {work.key} --to {fold.target}")
        if files:
            result.status, result.files, result.merge = CONFLICT, files, REFUSED
            result.message = (f"merging {work.tag} into {fold.tip} conflicts in "
                              f"{', '.join(files)}; the merge was undone, {fold.tip} is as "
                              "it was")
            result.next = by_hand
            return result
        return _held(result, REFUSED, f"git merge of {work.tag} into {fold.tip} refused: "
                     f"{reason}", by_hand)
    new = ctx.git.require_commit(f"refs/heads/{fold.tip}")
    result.status, result.merge, result.next = MERGED, MERGE_COMMIT, None
    result.message = f"{fold.tip} merged {work.tag} ({old[:12]}..{new[:12]})"
    return result


def _elsewhere(ctx: Context, fold: Fold, result: TargetResult, kind: str) -> TargetResult:
    if kind == "remote":
        remote, _, name = fold.tip.partition("/")
        return _held(result, REMOTE_ONLY, f"on {result.branch}; there is no local branch {name} "
                     f"(only {fold.tip}): push the port and open a pull request into {name}",
                     f"git push {remote} {result.branch}; once merged: git fetch {remote} && "
                     f"hotfix backport {fold.key}")
    patterns = [str(p) for p in ctx.cfg.list("lines.branch_patterns")] or ["release/{line}"]
    branch = patterns[0].replace("{line}", fold.target)
    return _held(result, NO_BRANCH, f"on {result.branch}; line {fold.target} has no maintenance "
                 f"branch, only the tag {fold.tip}",
                 f"git branch {branch} {result.branch} && hotfix backport {fold.key}")


def _held(result: TargetResult, why: str, message: str, next_step: str) -> TargetResult:
    result.status, result.merge, result.message, result.next = PORTED, why, message, next_step
    return result


def to_push(ctx: Context, results: Sequence[TargetResult]) -> list[str]:
    """The local target branches that hold their port (``merged``) or took the mainline's
    changelog entry, for ``--push``."""
    return [str(t.into) for t in results if t.into and ctx.git.ref_kind(t.into) == "local"
            and (t.status == MERGED or (t.changelog or {}).get("commit"))]
