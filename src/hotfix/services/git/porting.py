"""Port a hotfix's fixes to one target (a line or main), in the target's own worktree.

The fixes go onto ``backport/HF-N-<target>``, made from the target's tip. Release
bookkeeping (the changelog, lock files, a version file's version line) is never ported, so
it never conflicts; a version file's other changes (the code in an ``__init__.py``) are. A
conflict stops this target only; running the backport again after resolving it in the
target's worktree continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.domain.release.version_files import matching
from hotfix.ports import Commit, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.steps import release_paths

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
    check: dict[str, Any] | None = None  # the test gate's check of the port (port_gate)
    changelog: dict[str, Any] | None = None  # the mainline's entry (mainline_entry)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "status": self.status, "branch": self.branch,
                "worktree": self.worktree, "commits": self.commits, "files": self.files,
                "message": self.message, "source": self.source,
                "message_text": self.message_text, "remaining": self.remaining,
                "into": self.into, "merge": self.merge, "next": self.next,
                "check": self.check, "changelog": self.changelog}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetResult:
        """A result as recorded (a journal note carries more keys; they are left out)."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Target:
    name: str  # "1.2" or the mainline's name
    tip: str  # the ref the port starts from


def names(key: str, target: str, ctx: Context) -> tuple[str, Path]:
    return f"backport/{key}-{target}", ctx.git.worktree_path(f"{key}-{target}")


def missing_fixes(git: GitRepo, tip: str, base: str, fixes: Sequence[Commit]) -> list[Commit]:
    """The fixes whose change is not on ``tip`` yet (by ancestry, -x/Backport-Of, patch-id)."""
    equivalent = git.already_on(tip, fixes[-1].sha, base)
    tip_sha = git.require_commit(tip)
    fork = git.merge_base(tip_sha, fixes[-1].sha)
    wanted = {f.sha for f in fixes} | {f.origin() for f in fixes}
    mentioned = _mentioned(git, f"{fork}..{tip_sha}" if fork else tip_sha, wanted)
    return [f for f in fixes if f.sha not in equivalent
            and not ({f.sha, f.origin()} & mentioned)
            and not git.is_ancestor(f.origin(), tip_sha)]


def _mentioned(git: GitRepo, rev_range: str, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` a commit of ``rev_range`` names as its source (git greps)."""
    greps = [f"--grep={sha}" for sha in sorted(wanted)]
    found: set[str] = set()
    for commit in git.commits(rev_range, extra=["-F", *greps]):
        found |= commit.sources()
    return found & wanted


def port(ctx: Context, key: str, target: Target, fixes: Sequence[Commit], base: str,
         prior: Mapping[str, Any] | None,
         todo: Sequence[Commit] | None = None) -> TargetResult:
    """Port ``fixes`` (``todo``: those not on the target, when known) to ``target``; resume a
    conflict recorded in ``prior``."""
    branch, path = names(key, target.name, ctx)
    ctx.git.check_ref_name(branch)
    result = TargetResult(target.name, PORTED, branch, str(path))
    if prior is not None and prior.get("status") == CONFLICT and ctx.git.branch_exists(branch):
        _open_tree(ctx, branch, path, None)
        return _resume(ctx, key, path, fixes, prior, result)
    if todo is None:
        todo = missing_fixes(ctx.git, target.tip, base, fixes)
    if not todo:
        return TargetResult(target.name, PRESENT, message="every fix is already there")
    _open_tree(ctx, branch, path, ctx.git.require_commit(target.tip))
    return _port_all(ctx, key, path, todo, result)


def _open_tree(ctx: Context, branch: str, path: Path, start: str | None) -> None:
    tree = ctx.git.worktree_of(branch)
    if tree is not None and not tree.prunable:
        return
    if ctx.git.branch_exists(branch):
        ctx.git.repair_worktree(path, branch)
    else:
        ctx.git.add_worktree(path, branch, start)


def release_only_files(ctx: Context, tree: Path, sha: str,
                       release: set[str] | None = None) -> set[str]:
    """The files whose change in commit ``sha`` is release bookkeeping, never ported: the
    changelog, lock files, and version files when every changed line sets a version. A
    version file that also holds code (``__init__.py``) keeps a change to its code."""
    release = release_paths(ctx, tree) if release is None else release
    touched = set(ctx.git.changed_files(sha)) & release
    versions = set(matching(sorted(touched), [str(p) for p in ctx.cfg.list("lines.version_files")]))
    if not versions:
        return touched
    check = ReleaseFiles(version_files=sorted(versions))
    blocks = _by_file(ctx.git.diffs([sha]).get(sha, ""))
    return {f for f in touched if f not in versions or check.version_only(blocks.get(f, ""))}


def _by_file(diff: str) -> dict[str, str]:
    """A commit's patch split by file (``diff --git a/… b/…`` blocks)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in diff.splitlines():
        if line.startswith("diff --git "):
            current = found.setdefault(line.rsplit(" b/", 1)[-1], [])
        if current is not None:
            current.append(line)
    return {path: "\n".join(lines) for path, lines in found.items()}


def _port_all(ctx: Context, key: str, path: Path, todo: Sequence[Commit],
              result: TargetResult) -> TargetResult:
    release = release_paths(ctx, path)
    for index, fix in enumerate(todo):
        message = ctx.git.message_for(fix.sha, {"Hotfix-Id": key, "Backport-Of": fix.origin()})
        applied = ctx.git.apply(path, fix.sha)
        ctx.git.keep_ours(path, sorted(release_only_files(ctx, path, fix.sha, release)))
        conflicted = ctx.git.unmerged(path)
        if conflicted:
            result.status, result.files, result.source = CONFLICT, conflicted, fix.sha
            result.message_text = message
            result.remaining = [f.sha for f in todo[index + 1:]]
            result.message = f"conflict in {', '.join(conflicted)} porting {fix.sha[:12]}"
            return result
        if applied.status == "empty" or not ctx.git.has_staged(path):
            ctx.git.abort(path)
            continue
        result.commits.append(ctx.git.commit(path, message, what=f"the port of {fix.sha[:12]}",
                                             retry=f"hotfix backport {key}", author_of=fix.sha))
    if not result.commits:
        return TargetResult(result.target, PRESENT, message="every change is already there")
    return result


def _resume(ctx: Context, key: str, path: Path, fixes: Sequence[Commit],
            prior: Mapping[str, Any], result: TargetResult) -> TargetResult:
    """The user resolved (or not yet) the conflict in the target's worktree."""
    conflicted = ctx.git.unmerged(path)
    markers = ctx.git.staged_markers(path)
    if conflicted or markers:
        return TargetResult(result.target, CONFLICT, result.branch, result.worktree,
                            files=conflicted or markers, source=prior.get("source"),
                            message_text=prior.get("message_text"),
                            remaining=list(prior.get("remaining", [])),
                            message="still unresolved: " + ", ".join(conflicted or markers))
    result.commits = list(prior.get("commits", []))
    if ctx.git.has_staged(path):
        source = prior.get("source")
        result.commits.append(ctx.git.commit(path, str(prior["message_text"]),
                                             what="the resolved port",
                                             retry=f"hotfix backport {key}",
                                             author_of=str(source) if source else None))
    rest = [f for f in fixes if f.sha in set(prior.get("remaining", []))]
    done = _port_all(ctx, key, path, rest, result)
    if done.status == PRESENT and result.commits:
        done = result
        done.status = PORTED
    return done
