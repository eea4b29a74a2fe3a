"""``hotfix resume``: finish (or undo) every git step of a hotfix that was cut short.

The journal says what was begun; git says what really happened. A start whose branch exists
is recorded, not redone; a pick whose commit is on the branch is recorded, not picked
again; a release whose tag exists is recorded, not tagged again. A worktree deleted by hand
is recreated from its branch. What needs a person (a conflict) is named, with the command.
Resume never adopts a branch, worktree or tag whose version another record reserved
(``refs/hotfix/reserved/<version>`` names its owner): it refuses, and says how to go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.release.journal import begun, notes, pick_state
from hotfix.errors import ConflictError, NotFound
from hotfix.services.context import Context
from hotfix.services.git import backport as backport_svc
from hotfix.services.git import pick as pick_svc
from hotfix.services.git import release as release_svc
from hotfix.services.git import start as start_svc
from hotfix.services.git.foldback import HELD
from hotfix.services.git.steps import Work, work_of
from hotfix.services.rollout import deploy as deploy_svc
from hotfix.services.rollout import roll_back


@dataclass
class Resumed:
    key: str
    done: list[str] = field(default_factory=list)  # what resume finished
    waiting: list[str] = field(default_factory=list)  # what needs a person, with the command

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "done": self.done, "waiting": self.waiting,
                "nothing_to_do": not self.done and not self.waiting}


def resume(ctx: Context, key: str, actor: str) -> Resumed:
    rec = ctx.records.get(key)
    result = Resumed(rec.key)
    pending = begun(rec.events, "start", "start")
    if pending is not None:
        _require_owned(ctx, Work.from_payload(rec.key, pending), "start")
        started = start_svc.start(ctx, rec.key, actor, str(pending["line"]))
        result.done.append(f"finished start: {started.work.branch} from "
                           f"{started.work.base_tag} in {started.work.worktree}")
        rec = ctx.records.get(key)
    if rec.last("start") is not None:  # the git steps
        work = work_of(rec)
        _require_owned(ctx, work, "resume")
        _worktree(ctx, work, result)
        _picks(ctx, rec, work, actor, result)
        _release(ctx, rec, actor, result)
        _backport(ctx, rec, actor, result)
    _deploy(ctx, rec, actor, result)  # a rollout may run without hotfix's git steps (--tag)
    _roll_back(ctx, rec, actor, result)
    return result


def _require_owned(ctx: Context, work: Work, then: str) -> None:
    """ConflictError when another record reserved ``work``'s version (a lost race)."""
    owner = ctx.git.reservation_owner(work.version)
    if owner is None or owner == work.key:  # None: started before reservations existed
        return
    hint = (f"start it again on the next free version: hotfix start {work.key} --line "
            f"{work.line}" if then == "start" else
            f"its branch belongs to {owner}: close this record (hotfix close {work.key} "
            f"--override \"lost {work.version} to {owner}\") and open a new one (hotfix open)")
    raise ConflictError(
        f"{work.key} planned {work.branch} (tag {work.tag}), but version {work.version} is "
        f"reserved by {owner} (refs/hotfix/reserved/{work.version}): resume will not adopt "
        "another record's branch, worktree or tag", hint=hint)


def _deploy(ctx: Context, rec: Hotfix, actor: str, result: Resumed) -> None:
    """A rollout whose controller died: continue it (or roll back if its canary is gone)."""
    if deploy_svc.interrupted(ctx, rec.key):
        out = deploy_svc.resume(ctx, rec.key, actor)
        result.done.append(f"resumed the rollout of {out.canary}: {out.status.replace('_', ' ')}"
                           f" ({out.reason})")


def _roll_back(ctx: Context, rec: Hotfix, actor: str, result: Resumed) -> None:
    """A roll-back-first cut short: finished or undone by the router's real weights."""
    if roll_back.interrupted(ctx, rec.key):
        out = roll_back.resume(ctx, rec.key, actor)
        result.done += out.steps
        if out.phase != "done":
            result.waiting.append(f"production stays on {out.live}; roll back again: "
                                  f"hotfix rollback {rec.key} --to {out.to}")
    elif rec.state.value == "rolling_back":
        failed = ctx.rollout.states.load_rollback(rec.key)
        why = f" ({failed.reason})" if failed is not None and failed.reason else ""
        result.waiting.append(f"the last rollback did not finish{why}; roll back again: "
                              f"hotfix rollback {rec.key} --to vX.Y.Z")


def _worktree(ctx: Context, work: Work, result: Resumed) -> None:
    if not ctx.git.branch_exists(work.branch):
        raise NotFound(f"the branch {work.branch} of {work.key} is gone (deleted by hand)",
                       hint=f"find its last commit (git reflog) and recreate it: git branch "
                            f"{work.branch} <sha>; then: hotfix resume {work.key}")
    tree = ctx.git.worktree_of(work.branch)
    if tree is None or tree.prunable:
        ctx.git.repair_worktree(work.worktree, work.branch)
        result.done.append(f"recreated the worktree {work.worktree} from {work.branch}")


def _picks(ctx: Context, rec: Hotfix, work: Work, actor: str, result: Resumed) -> None:
    state = pick_state(rec.events)
    if state.pending is not None:
        files = ctx.git.unmerged(work.worktree)
        source = str(state.pending["source"])[:12]
        if files:
            result.waiting.append(f"the pick of {source} is stopped on a conflict in "
                                  f"{', '.join(files)}: resolve in {work.worktree}, git add, "
                                  f"then hotfix pick {work.key} --continue (or --skip/--abort)")
        else:
            result.waiting.append(f"the pick of {source} looks resolved: hotfix pick {work.key} "
                                  "--continue (or --skip/--abort)")
        return
    picked = pick_svc.finish_queue(ctx, rec.key, actor)
    if picked is not None:
        result.done.append(f"finished the pick: {len(picked.picked)} commit(s) recorded on "
                           f"{work.branch}")


def _release(ctx: Context, rec: Hotfix, actor: str, result: Resumed) -> None:
    rec = ctx.records.get(rec.key)
    if begun(rec.events, "release", "release") is None:
        return
    tag_existed = ctx.git.tag_commit(work_of(rec).tag) is not None
    released = release_svc.release(ctx, rec.key, actor)
    how = "the tag was already there" if tag_existed else "tagged now"
    result.done.append(f"finished the release {released.tag} on "
                       f"{released.release_commit[:12]} ({how})")


def _backport(ctx: Context, rec: Hotfix, actor: str, result: Resumed) -> None:
    rec = ctx.records.get(rec.key)
    began = [n for n in notes(rec.events, "backport") if n.get("phase") == "begin"]
    if not began or begun(rec.events, "backport", "backport") is None:
        return
    targets = [str(t) for t in began[-1].get("targets", [])]
    outcome = backport_svc.backport(ctx, rec.key, actor, targets,
                                    merge=bool(began[-1].get("merge")))
    result.done.append("finished the backport: " + ", ".join(
        f"{t.target} {t.status}" for t in outcome.targets))
    result.waiting += [f"{t.target}: {t.message}; resolve in {t.worktree}, git add, then "
                       f"hotfix backport {rec.key} --to {t.target}"
                       for t in outcome.targets if t.status == "conflict"]
    result.waiting += [f"{t.target}: {t.message}; next: {t.next}" for t in outcome.targets
                       if outcome.merge and t.merge in HELD]
