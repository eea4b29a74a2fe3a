"""Fold a port back into its target: does the target's own branch hold the fix yet?

A port sits on ``backport/HF-N-<target>`` until someone merges it. A target counts as done
(``merged``) only when its own ref contains the fix — by ancestry, a ``-x``/``Backport-Of``
trailer, or the same patch — or every commit of the port. With ``--merge`` the target branch
is fast-forwarded to the port when that is safe: by an atomic compare-and-swap of the ref
when no worktree has it checked out, else by ``git merge --ff-only`` in that worktree, and
only when it is clean. Otherwise the target stays ``ported``, with why and the command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hotfix.ports import Commit
from hotfix.services.context import Context
from hotfix.services.git.porting import MERGED, PORTED, TargetResult, missing_fixes

# TargetResult.merge: what became of folding the port into the target's branch
FORWARDED, BY_HAND, NOT_ASKED, MOVED, DIRTY, BUSY, REFUSED, REMOTE_ONLY, NO_BRANCH = (
    "fast-forwarded", "by hand", "not asked", "moved", "dirty", "busy", "refused",
    "remote only", "no branch")
HELD = (MOVED, DIRTY, BUSY, REFUSED)  # --merge was asked and a local branch could not move


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


def fold(ctx: Context, fold: Fold, result: TargetResult) -> TargetResult:
    """``result`` is ported: fast-forward the target to it (``--merge``), or say how to."""
    result.into, branch = fold.tip, str(result.branch)
    kind = ctx.git.ref_kind(fold.tip)
    if kind != "local":
        return _elsewhere(ctx, fold, result, kind)
    new = ctx.git.require_commit(f"refs/heads/{branch}")
    old = ctx.git.require_commit(f"refs/heads/{fold.tip}")
    if not ctx.git.is_ancestor(old, new):
        return _held(result, MOVED, f"{fold.tip} moved on since {branch} was made, so it is "
                     "not a fast-forward; left as it is",
                     f"git -C {result.worktree} rebase {fold.tip} && {fold.again()}")
    if not fold.merge:
        return _held(result, NOT_ASKED, f"on {branch}, not merged into {fold.tip} yet",
                     fold.again())
    return _advance(ctx, fold, result, new, old)


def _advance(ctx: Context, fold: Fold, result: TargetResult, new: str,
             old: str) -> TargetResult:
    tree = ctx.git.worktree_of(fold.tip)
    if tree is None:
        busy = ctx.git.busy_with(fold.tip)
        if busy is not None:
            return _held(result, BUSY, f"{fold.tip} is being rebased or bisected in {busy}; "
                         "left as it is", f"finish that in {busy}, then: {fold.again()}")
        if not ctx.git.swap(fold.tip, new, old):
            return _held(result, MOVED, f"{fold.tip} moved while hotfix worked; left as it is",
                         fold.again())
    elif tree.prunable:
        return _held(result, BUSY, f"{fold.tip} is checked out in {tree.path}, which is gone",
                     f"git worktree prune && {fold.again()}")
    else:
        changes = ctx.git.local_changes(tree.path)
        if changes:
            shown = ", ".join(changes[:3]) + (", …" if len(changes) > 3 else "")
            return _held(result, DIRTY, f"{fold.tip} is checked out in {tree.path}, which has "
                         f"uncommitted changes ({shown}); not touched",
                         f"commit or stash them in {tree.path}, then: {fold.again()}")
        refusal = ctx.git.fast_forward(tree.path, f"refs/heads/{result.branch}")
        if refusal is not None:
            return _held(result, REFUSED, f"git merge --ff-only in {tree.path} refused: "
                         f"{refusal}", fold.again())
    result.status, result.merge, result.next = MERGED, FORWARDED, None
    result.message = f"{fold.tip} fast-forwarded to {result.branch} ({old[:12]}..{new[:12]})"
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
    """The local target branches that hold their port (``merged``), for ``--push``."""
    return [str(t.into) for t in results if t.status == MERGED and t.into
            and ctx.git.ref_kind(t.into) == "local"]
