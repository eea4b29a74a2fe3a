"""Port a hotfix's fixes to one target (a line or main), in the target's own worktree.

The fixes go onto ``backport/HF-N-<target>``, made from the target's tip. Changes to
release files (version files, changelog) are never ported, so they never conflict. A
conflict stops this target only; running the backport again after resolving it in the
target's worktree continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.adapters.git import cmd, history, picking, refs, worktrees
from hotfix.adapters.git.history import Commit
from hotfix.services.context import Context
from hotfix.services.gitwork import release_paths

PORTED, MERGED, CONFLICT, PRESENT, SKIPPED, FAILED = (
    "ported", "merged", "conflict", "already present", "skipped", "failed")


@dataclass
class TargetResult:
    target: str
    status: str
    branch: str | None = None
    worktree: str | None = None
    commits: list[str] = field(default_factory=list)  # commits made on the target branch
    files: list[str] = field(default_factory=list)  # conflicted files
    message: str = ""
    source: str | None = None  # the fix that conflicted
    message_text: str | None = None  # its commit message, for the resumed run
    remaining: list[str] = field(default_factory=list)  # fixes still to port after it
    into: str | None = None  # the target's own ref (main, release/1.2, origin/…, a tag)
    merge: str | None = None  # how folding the port into ``into`` went (see foldback)
    next: str | None = None  # the command a person runs next, when one is needed

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "status": self.status, "branch": self.branch,
                "worktree": self.worktree, "commits": self.commits, "files": self.files,
                "message": self.message, "source": self.source,
                "message_text": self.message_text, "remaining": self.remaining,
                "into": self.into, "merge": self.merge, "next": self.next}


@dataclass(frozen=True)
class Target:
    name: str  # "1.2" or the mainline's name
    tip: str  # the ref the port starts from


def names(key: str, target: str, ctx: Context) -> tuple[str, Path]:
    return f"backport/{key}-{target}", worktrees.path_for(ctx.root, f"{key}-{target}")


def missing_fixes(root: Path, tip: str, base: str, fixes: Sequence[Commit]) -> list[Commit]:
    """The fixes whose change is not on ``tip`` yet (by ancestry, -x/Backport-Of, patch-id)."""
    equivalent = _patch_equivalent(root, tip, base, fixes)
    tip_sha = refs.require_commit(root, tip)
    fork = cmd.run(["merge-base", tip_sha, fixes[-1].sha], root, check=False).stdout.strip()
    wanted = {f.sha for f in fixes} | {history.source_of(f) for f in fixes}
    mentioned = _mentioned(root, f"{fork}..{tip_sha}" if fork else tip_sha, wanted)
    return [f for f in fixes if f.sha not in equivalent
            and not ({f.sha, history.source_of(f)} & mentioned)
            and not refs.is_ancestor(root, history.source_of(f), tip_sha)]


def _patch_equivalent(root: Path, tip: str, base: str, fixes: Sequence[Commit]) -> set[str]:
    text = cmd.out(["cherry", tip, fixes[-1].sha, base], root)
    return {line[2:].strip() for line in text.splitlines() if line.startswith("- ")}


def _mentioned(root: Path, rev_range: str, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` a commit of ``rev_range`` names as its source (git greps)."""
    greps = [f"--grep={sha}" for sha in sorted(wanted)]
    found: set[str] = set()
    for commit in history.commits(root, rev_range, extra=["-F", *greps]):
        found |= commit.sources()
    return found & wanted


def port(ctx: Context, key: str, target: Target, fixes: Sequence[Commit], base: str,
         prior: Mapping[str, Any] | None,
         todo: Sequence[Commit] | None = None) -> TargetResult:
    """Port ``fixes`` (``todo``: those not on the target, when known) to ``target``; resume a
    conflict recorded in ``prior``."""
    branch, path = names(key, target.name, ctx)
    refs.check_ref_name(ctx.root, branch)
    result = TargetResult(target.name, PORTED, branch, str(path))
    if prior is not None and prior.get("status") == CONFLICT and refs.branch_exists(
            ctx.root, branch):
        _open_tree(ctx, branch, path, None)
        return _resume(ctx, key, path, fixes, prior, result)
    if todo is None:
        todo = missing_fixes(ctx.root, target.tip, base, fixes)
    if not todo:
        return TargetResult(target.name, PRESENT, message="every fix is already there")
    _open_tree(ctx, branch, path, refs.require_commit(ctx.root, target.tip))
    return _port_all(ctx, key, path, todo, result)


def _open_tree(ctx: Context, branch: str, path: Path, start: str | None) -> None:
    tree = worktrees.of_branch(ctx.root, branch)
    if tree is not None and not tree.prunable:
        return
    if refs.branch_exists(ctx.root, branch):
        worktrees.repair(ctx.root, path, branch)
    else:
        worktrees.add(ctx.root, path, branch, start)


def _port_all(ctx: Context, key: str, path: Path, todo: Sequence[Commit],
              result: TargetResult) -> TargetResult:
    release = release_paths(ctx, path)
    for index, fix in enumerate(todo):
        source = history.source_of(fix)
        message = picking.message_for(ctx.root, fix.sha, {"Hotfix-Id": key,
                                                          "Backport-Of": source})
        applied = picking.apply(path, fix.sha)
        picking.keep_ours(path, sorted(set(history.changed_files(ctx.root, fix.sha)) & release))
        conflicted = picking.unmerged(path)
        if conflicted:
            result.status, result.files, result.source = CONFLICT, conflicted, fix.sha
            result.message_text = message
            result.remaining = [f.sha for f in todo[index + 1:]]
            result.message = f"conflict in {', '.join(conflicted)} porting {fix.sha[:12]}"
            return result
        if applied.status == "empty" or not picking.has_staged(path):
            picking.abort(path)
            continue
        result.commits.append(picking.commit(path, message, what=f"the port of {fix.sha[:12]}",
                                             retry=f"hotfix backport {key}"))
    if not result.commits:
        return TargetResult(result.target, PRESENT, message="every change is already there")
    return result


def _resume(ctx: Context, key: str, path: Path, fixes: Sequence[Commit],
            prior: Mapping[str, Any], result: TargetResult) -> TargetResult:
    """The user resolved (or not yet) the conflict in the target's worktree."""
    conflicted = picking.unmerged(path)
    markers = picking.staged_markers(path)
    if conflicted or markers:
        return TargetResult(result.target, CONFLICT, result.branch, result.worktree,
                            files=conflicted or markers, source=prior.get("source"),
                            message_text=prior.get("message_text"),
                            remaining=list(prior.get("remaining", [])),
                            message="still unresolved: " + ", ".join(conflicted or markers))
    result.commits = list(prior.get("commits", []))
    if picking.has_staged(path):
        result.commits.append(picking.commit(path, str(prior["message_text"]),
                                             what="the resolved port",
                                             retry=f"hotfix backport {key}"))
    rest = [f for f in fixes if f.sha in set(prior.get("remaining", []))]
    done = _port_all(ctx, key, path, rest, result)
    if done.status == PRESENT and result.commits:
        done = result
        done.status = PORTED
    return done
