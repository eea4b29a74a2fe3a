"""``hotfix pick``: cherry-pick fixes onto the hotfix branch, with ``-x`` and ``Hotfix-Id``.

The queue of commits to pick is journaled first; each commit picked is recorded as a
``pick`` event. A conflict stops the queue with the files named; ``--continue`` commits the
resolution and goes on, ``--skip`` drops that commit and goes on, ``--abort`` undoes it and
drops the rest. A pick cut short is finished by ``hotfix resume`` without picking twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.domain.release.journal import pick_state
from hotfix.errors import ConflictError, GitError, PolicyViolation, UsageError
from hotfix.ports import Commit, GitRepo
from hotfix.services.context import Context
from hotfix.services.git.steps import Work, guard, journal, tree, work_of


@dataclass
class PickResult:
    key: str
    branch: str
    worktree: str
    picked: list[dict[str, str]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # skipped or aborted

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "branch": self.branch, "worktree": self.worktree,
                "picked": self.picked, "empty": self.empty, "dropped": self.dropped}


def pick(ctx: Context, key: str, actor: str, shas: Sequence[str],
         mainline: int | None = None) -> PickResult:
    """Pick ``shas`` in order onto the hotfix branch."""
    rec = ctx.records.get(key)
    guard(ctx, rec, "pick", actor)
    work = work_of(rec)
    path = tree(ctx, work)
    state = pick_state(rec.events)
    if state.pending is not None:
        raise UsageError(_pending_message(state.pending), hint=_resolve_hint(work, path))
    if not shas:
        raise UsageError("name at least one commit to pick",
                         hint=f"hotfix pick {work.key} SHA [SHA…]")
    found = dict(_checked_source(ctx.git, path, work, sha, mainline, state.done)
                 for sha in shas)
    sources = list(found)
    if ctx.git.uncommitted(path):
        raise UsageError(f"the worktree {path} has uncommitted changes",
                         hint=f"commit them first (a fix made directly in the worktree counts): "
                              f"git -C {path} commit -am \"…\"; or drop them: "
                              f"git -C {path} checkout -- .")
    journal(ctx, work.key, actor, "pick", "begin", shas=sources, mainline=mainline)
    return run_queue(ctx, work, path, actor, sources, mainline, found)


def _checked_source(git: GitRepo, path: Path, work: Work, sha: str, mainline: int | None,
                    done: Sequence[str]) -> tuple[str, str]:
    """(full sha, message) of a commit that may be picked."""
    source, parents, message = git.lookup(sha)
    if len(parents) > 1 and not mainline:
        raise UsageError(f"{sha} is a merge commit: git needs to know which parent's side "
                         "is the change", hint=f"usually the first: hotfix pick {work.key} "
                         f"{sha} -m 1")
    if len(parents) <= 1 and mainline:
        raise UsageError(f"{sha} is not a merge commit; -m only applies to merges",
                         hint=f"drop -m: hotfix pick {work.key} {sha}")
    if source in done or git.is_ancestor(source, git.head_of(path)):
        raise UsageError(f"{sha} is already on {work.branch}: picking it again would be empty",
                         hint=f"see what is there: git -C {path} log --oneline "
                              f"{work.base_tag}..")
    return source, message


def run_queue(ctx: Context, work: Work, path: Path, actor: str, queue: Sequence[str],
              mainline: int | None, messages: Mapping[str, str] | None = None) -> PickResult:
    result = PickResult(work.key, work.branch, str(path))
    for source in queue:
        applied = ctx.git.apply(path, source, mainline)
        if applied.status == "empty":
            ctx.git.abort(path)
            journal(ctx, work.key, actor, "pick", "empty", source=source)
            result.empty.append(source)
            continue
        message = ctx.git.message_for(source, {"Hotfix-Id": work.key},
                                      (messages or {}).get(source))
        if applied.status == "conflict":
            journal(ctx, work.key, actor, "pick", "conflict", source=source,
                    files=list(applied.files), message=message)
            raise ConflictError(_conflict_message(work, source, applied.files, result),
                                hint=_resolve_hint(work, path))
        result.picked.append(_commit(ctx, work, path, actor, source, message))
    _raise_if_empty(work, path, result)
    return result


def _commit(ctx: Context, work: Work, path: Path, actor: str, source: str,
            message: str) -> dict[str, str]:
    retry = f"hotfix pick {work.key} --continue"
    try:
        commit = ctx.git.commit(path, message, what=f"the pick of {source[:12]}", retry=retry,
                                author_of=source)
    except GitError:
        journal(ctx, work.key, actor, "pick", "conflict", source=source, files=[],
                message=message, reason="commit refused")
        raise
    subject = message.splitlines()[0]
    ctx.records.act(work.key, "pick", actor, {"source": source, "commit": commit,
                                              "subject": subject})
    return {"source": source, "commit": commit, "subject": subject}


def _raise_if_empty(work: Work, path: Path, result: PickResult) -> None:
    if result.empty:
        done = f"; picked {len(result.picked)} other(s), recorded" if result.picked else ""
        raise UsageError(
            f"{', '.join(s[:12] for s in result.empty)}: the pick is empty, the change is "
            f"already applied on {work.branch}{done}",
            hint=f"nothing to do for it; see the branch: git -C {path} log --oneline "
                 f"{work.base_tag}..")


def pick_continue(ctx: Context, key: str, actor: str) -> PickResult:
    """Commit the resolved conflict and pick the rest of the queue."""
    rec = ctx.records.get(key)
    guard(ctx, rec, "pick", actor)
    work = work_of(rec)
    path = tree(ctx, work)
    state = pick_state(rec.events)
    pending = _require_pending(state.pending, work)
    source = str(pending["source"])
    retry = f"hotfix pick {work.key} --continue"
    ctx.git.require_resolved(path, retry)
    markers = ctx.git.staged_markers(path)
    if markers:
        raise PolicyViolation(f"conflict markers are still in {', '.join(markers)}",
                              hint=f"remove them, git -C {path} add the files, then: {retry}")
    result = PickResult(work.key, work.branch, str(path))
    if ctx.git.has_staged(path):
        result.picked.append(_commit(ctx, work, path, actor, source, str(pending["message"])))
    elif _committed_by_hand(ctx, work, path, source):
        result.picked.append(_record_existing(ctx, work, path, actor, source))
    else:
        raise UsageError(f"nothing is staged for {source[:12]}: the resolution drops the whole "
                         "change", hint=f"drop the commit instead: hotfix pick {work.key} --skip")
    rest = run_queue(ctx, work, path, actor, state.queue[1:], state.mainline)
    result.picked += rest.picked
    return result


def pick_abort(ctx: Context, key: str, actor: str) -> PickResult:
    """Undo the stopped pick and drop the rest of the queue."""
    return _drop(ctx, key, actor, "abort")


def pick_skip(ctx: Context, key: str, actor: str) -> PickResult:
    """Drop the commit that stopped the queue and pick the rest."""
    return _drop(ctx, key, actor, "skip")


def _drop(ctx: Context, key: str, actor: str, phase: str) -> PickResult:
    rec = ctx.records.get(key)
    work = work_of(rec)
    path = tree(ctx, work)
    state = pick_state(rec.events)
    pending = _require_pending(state.pending, work)
    ctx.git.abort(path)
    journal(ctx, work.key, actor, "pick", phase, source=pending["source"])
    result = PickResult(work.key, work.branch, str(path), dropped=[str(pending["source"])])
    if phase == "abort":
        result.dropped += list(state.queue[1:])
        return result
    rest = run_queue(ctx, work, path, actor, state.queue[1:], state.mainline)
    result.picked, result.empty = rest.picked, rest.empty
    return result


def finish_queue(ctx: Context, key: str, actor: str) -> PickResult | None:
    """Resume: record picks git already made, pick what is left. None if nothing was cut short."""
    rec = ctx.records.get(key)
    state = pick_state(rec.events)
    if not state.queue or state.pending is not None:
        return None
    work = work_of(rec)
    path = tree(ctx, work)
    result = PickResult(work.key, work.branch, str(path))
    queue = list(state.queue)
    while queue and _committed_by_hand(ctx, work, path, queue[0]):
        result.picked.append(_record_existing(ctx, work, path, actor, queue.pop(0)))
    if ctx.git.uncommitted(path):  # a pick applied but not committed: undo it, pick it again
        ctx.git.abort(path)
    rest = run_queue(ctx, work, path, actor, queue, state.mainline)
    result.picked += rest.picked
    return result


def _committed_by_hand(ctx: Context, work: Work, path: Path, source: str) -> bool:
    return any(source in c.sources() for c in _on_branch(ctx, work, path))


def _on_branch(ctx: Context, work: Work, path: Path) -> list[Commit]:
    """The commits of the hotfix branch since its base tag, oldest first."""
    return ctx.git.commits(f"{work.base_tag}..HEAD", tree=path)


def _record_existing(ctx: Context, work: Work, path: Path, actor: str,
                     source: str) -> dict[str, str]:
    commit = next(c for c in reversed(_on_branch(ctx, work, path)) if source in c.sources())
    ctx.records.act(work.key, "pick", actor, {"source": source, "commit": commit.sha,
                                              "subject": commit.subject, "found": True})
    return {"source": source, "commit": commit.sha, "subject": commit.subject}


def _require_pending(pending: Any, work: Work) -> Any:
    if pending is None:
        raise UsageError(f"no pick of {work.key} is stopped on a conflict",
                         hint=f"pick commits with: hotfix pick {work.key} SHA…")
    return pending


def _pending_message(pending: Any) -> str:
    files = ", ".join(pending.get("files") or []) or "no file (the commit was refused)"
    return f"the pick of {str(pending['source'])[:12]} is stopped on a conflict in {files}"


def _conflict_message(work: Work, source: str, files: Sequence[str], done: PickResult) -> str:
    before = f" ({len(done.picked)} earlier pick(s) done and recorded)" if done.picked else ""
    return (f"cherry-pick of {source[:12]} onto {work.branch} stopped on a conflict in: "
            f"{', '.join(files)}{before}")


def _resolve_hint(work: Work, path: Path) -> str:
    return (f"resolve in {path}: edit the files, `git -C {path} add <file>`, then "
            f"`hotfix pick {work.key} --continue`; or `hotfix pick {work.key} --skip` to drop "
            f"this commit, `hotfix pick {work.key} --abort` to stop")
