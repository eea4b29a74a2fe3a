"""``hotfix backport``: port the fix to every newer supported line and to main.

Targets go oldest → newest → main, each in its own worktree, on ``backport/HF-N-<target>``.
A conflict (or any failure) on one target never drops the others: every target gets a
status — ported (on its backport branch only), merged (the target's own branch has the
port), already present, conflict, skipped or failed — recorded on the hotfix. ``main_ported``
is true only when main itself has the fix. Running it again resumes the targets that did
not finish and notices ports merged since (by hand or by a pull request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.release.journal import backport_targets
from hotfix.domain.release.lines import ReleaseLine, find_line
from hotfix.domain.release.versions import line_key, parse_line
from hotfix.errors import HotfixError, UsageError
from hotfix.ports import Commit
from hotfix.services.context import Context
from hotfix.services.git import foldback, mainline_entry, port_gate
from hotfix.services.git import lines as lines_svc
from hotfix.services.git.foldback import HELD, Fold
from hotfix.services.git.porting import (
    CONFLICT,
    FAILED,
    MERGED,
    PORTED,
    PRESENT,
    SKIPPED,
    Target,
    TargetResult,
    port,
    release_only_files,
)
from hotfix.services.git.steps import Work, guard, journal, release_paths, work_of


@dataclass
class Pushed:
    remote: str
    branches: list[str]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"remote": self.remote, "branches": self.branches, "error": self.error}


@dataclass
class BackportResult:
    key: str
    targets: list[TargetResult] = field(default_factory=list)
    merge: bool = False  # --merge was asked
    pushed: Pushed | None = None  # --push
    mainline: str = "main"
    earlier: list[TargetResult] = field(default_factory=list)  # targets of earlier runs only

    @property
    def failed(self) -> bool:
        """A conflict or failure, a target --merge could not fold, or a failed push."""
        return any(t.status in (CONFLICT, FAILED) or (self.merge and t.merge in HELD)
                   for t in self.targets) or bool(self.pushed and self.pushed.error)

    @property
    def every_target(self) -> list[TargetResult]:
        """This run's targets, then those only earlier runs did: the record accumulates."""
        ran = {t.target for t in self.targets}
        return [*self.targets, *(t for t in self.earlier if t.target not in ran)]

    @property
    def main_ported(self) -> bool:
        return any(t.target == self.mainline and t.status in (MERGED, PRESENT)
                   for t in self.every_target)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "failed": self.failed, "main_ported": self.main_ported,
                "targets": [t.to_dict() for t in self.targets],
                "earlier": [t.to_dict() for t in self.every_target[len(self.targets):]],
                "pushed": self.pushed.to_dict() if self.pushed else None}


def backport(ctx: Context, key: str, actor: str, targets: Sequence[str] | None = None, *,
             merge: bool = False, push: bool = False) -> BackportResult:
    """Port the released fix to each target; one target's failure never stops the others.

    ``merge``: fast-forward each target branch to its port when safe; ``push``: push the
    target branches that hold their port to ``lines.remote``, atomically."""
    rec = ctx.records.get(key)
    guard(ctx, rec, "backport", actor)
    mainline_entry.mode(ctx)  # a bad backport.changelog is refused before any work
    remote = _push_remote(ctx, rec.key, push)
    work = work_of(rec)
    fixes = fix_commits(ctx, rec, work)
    plan = _targets(ctx, work, targets)
    journal(ctx, rec.key, actor, "backport", "begin", targets=[t.name for t, _ in plan],
            merge=merge)
    prior = backport_targets(rec.events)
    result = BackportResult(rec.key, merge=merge, mainline=ctx.cfg.str("lines.mainline"),
                            earlier=[TargetResult.from_dict(p.detail) for p in prior.values()])
    for target, skip_reason in plan:
        outcome = _one(ctx, rec, work, Fold(rec.key, target.name, target.tip, merge),
                       skip_reason, fixes, prior[target.name].detail if target.name in prior
                       else None)
        if target.name == result.mainline:
            outcome.changelog = mainline_entry.write(ctx, rec.key, outcome, target.tip, fixes,
                                                     merge)
        journal(ctx, rec.key, actor, "backport", "target", **outcome.to_dict())
        result.targets.append(outcome)
    if remote is not None:
        result.pushed = _push(ctx, remote, result.targets)
    every = result.every_target
    ctx.records.act(rec.key, "backport", actor, {
        "targets": [t.to_dict() for t in every], "ran": [t.target for t in result.targets],
        "main_ported": result.main_ported, "mainline": result.mainline,
        "pushed": result.pushed.to_dict() if result.pushed else None,
        "facts": {"backport": {t.target: t.status for t in every}}})
    return result


def _push_remote(ctx: Context, key: str, push: bool) -> str | None:
    remote = ctx.cfg.str("lines.remote")
    if push and not ctx.git.has_remote(remote):
        raise UsageError(f"--push goes to the remote {remote!r} (lines.remote), which this "
                         "repository does not have",
                         hint=f"add it (git remote add {remote} URL) or set lines.remote; "
                              f"or leave out --push: hotfix backport {key} --merge")
    return remote if push else None


def _push(ctx: Context, remote: str, results: Sequence[TargetResult]) -> Pushed:
    branches = foldback.to_push(ctx, results)
    specs = [f"refs/heads/{b}:refs/heads/{b}" for b in branches]
    error = ctx.git.push_atomic(remote, specs) if branches else None
    return Pushed(remote, branches, error)


def _one(ctx: Context, rec: Hotfix, work: Work, fold: Fold, skip_reason: str | None,
         fixes: list[Commit], prior: Any) -> TargetResult:
    if skip_reason:
        return TargetResult(fold.target, SKIPPED, message=skip_reason)
    try:
        return _own_line(ctx, rec, work, fold, prior) if fold.target == work.line else \
            _port_one(ctx, rec, work, fold, fixes, prior)
    except HotfixError as exc:
        return TargetResult(fold.target, FAILED, message=f"{exc.message} ({exc.hint or ''})")


def _port_one(ctx: Context, rec: Hotfix, work: Work, fold: Fold, fixes: list[Commit],
              prior: Any) -> TargetResult:
    """Another line or main: port the fixes missing there, then fold the port in."""
    if not fixes:
        return TargetResult(fold.target, PRESENT, message="the hotfix has no fix commits")
    ported = _ported_before(ctx, prior)
    todo = foldback.missing(ctx, fold.tip, work.base_tag, fixes,
                            str(prior["branch"]) if ported else None)
    if not todo:
        return _held_already(fold, prior if ported else None)
    result = _earlier(fold, prior) if ported else port(
        ctx, rec.key, Target(fold.target, fold.tip), fixes, work.base_tag, prior, todo)
    if result.status != PORTED:
        return result
    return foldback.fold(ctx, fold, result, gate=_gate(ctx, fold, prior))


def _own_line(ctx: Context, rec: Hotfix, work: Work, fold: Fold, prior: Any) -> TargetResult:
    """The hotfix's own line: its release lands on the line's maintenance branch."""
    released = rec.last("release")
    if released is None:
        return TargetResult(fold.target, SKIPPED,
                            message=f"{fold.target} is the hotfix's own line; {work.tag} is "
                                    "not released yet, so there is nothing to land on it",
                            next=f"hotfix release {rec.key}")
    mode = foldback.land_mode(ctx)
    return foldback.land(ctx, work, str(released["release_commit"]), merge=fold.merge,
                         mode="merge" if mode == "off" else mode, prior=prior)


def _gate(ctx: Context, fold: Fold, prior: Any) -> foldback.Gate | None:
    """The port's check, run just before ``--merge`` would move the target."""
    if not port_gate.enabled(ctx):
        return None

    def gate(result: TargetResult) -> str | None:
        checked = port_gate.gate(ctx, fold.tip, f"refs/heads/{result.branch}",
                                 prior if isinstance(prior, Mapping) else None)
        result.check = checked
        return None if checked["passed"] else str(checked["reason"])
    return gate


def _ported_before(ctx: Context, prior: Any) -> bool:
    """An earlier run left a port of this target on its (still existing) backport branch."""
    return bool(prior) and prior.get("status") in (PORTED, MERGED) and bool(
        prior.get("branch")) and ctx.git.branch_exists(str(prior["branch"]))


def _held_already(fold: Fold, prior: Any) -> TargetResult:
    """The target's own ref has the fix: ``merged`` when it came through our port."""
    if prior is None:
        return TargetResult(fold.target, PRESENT, into=fold.tip,
                            message=f"{fold.tip} already has every fix")
    earlier = prior.get("status") == MERGED
    how = "merged by an earlier run" if earlier else "merged by hand or by a pull request"
    return TargetResult(fold.target, MERGED, prior.get("branch"), prior.get("worktree"),
                        list(prior.get("commits", [])), into=fold.tip,
                        merge=str(prior.get("merge")) if earlier else foldback.BY_HAND,
                        message=f"{fold.tip} has the port of {prior.get('branch')} ({how})")


def _earlier(fold: Fold, prior: Any) -> TargetResult:
    return TargetResult(fold.target, PORTED, str(prior["branch"]), prior.get("worktree"),
                        list(prior.get("commits", [])), message="ported by an earlier run")


def fix_commits(ctx: Context, rec: Hotfix, work: Work) -> list[Commit]:
    """The hotfix's fix commits, without release-only ones (version bump, notes)."""
    released = rec.last("release")
    head = str(released["commit"]) if released else ctx.git.require_commit(work.branch)
    release = release_paths(ctx, ctx.root) | {ctx.cfg.str("lines.changelog")}
    return [c for c in ctx.git.commits(f"{work.base_tag}..{head}")
            if not _release_only(ctx, c.sha, release)]


def _release_only(ctx: Context, sha: str, release: set[str]) -> bool:
    """A commit whose every change is release bookkeeping (the version bump, the notes)."""
    changed = set(ctx.git.changed_files(sha))
    return bool(changed) and release_only_files(ctx, ctx.root, sha, release) == changed


def _targets(ctx: Context, work: Work,
             wanted: Sequence[str] | None) -> list[tuple[Target, str | None]]:
    """(target, reason to skip it or None), oldest line → newest → main."""
    mainline = ctx.cfg.str("lines.mainline")
    found = lines_svc.discover_lines(ctx.git, ctx.cfg)
    if wanted is None:
        names = [x.name for x in found if x.supported and x.tip and (
            line_key(x.name) > line_key(work.line) or (x.name == work.line and x.branch))]
        names.append(mainline)
    else:
        names = _checked_names(wanted, mainline, found)
    names.sort(key=lambda n: (n == mainline, line_key(n) if n != mainline else (0, 0)))
    plan: list[tuple[Target, str | None]] = []
    for name in names:
        if name == mainline:
            plan.append((Target(name, lines_svc.mainline_ref(ctx.git, ctx.cfg)), None))
        else:
            plan.append(_line_target(find_line(found, name), work))
    return plan


def _checked_names(wanted: Sequence[str], mainline: str, found: list[ReleaseLine]) -> list[str]:
    names: list[str] = []
    for name in (w.strip() for w in wanted if w.strip()):
        if name != mainline:
            try:
                parse_line(name)
            except ValueError:
                raise UsageError(f"{name!r} is neither {mainline!r} nor a line like 1.2",
                                 hint=f"e.g. --to {mainline},1.2; see: hotfix lines") from None
            if find_line(found, name) is None:
                raise UsageError(f"there is no release line {name}", hint="see: hotfix lines")
        if name not in names:
            names.append(name)
    return names


def _line_target(line: ReleaseLine | None, work: Work) -> tuple[Target, str | None]:
    assert line is not None
    target = Target(line.name, line.tip)
    if line.name == work.line:
        return target, None
    if not line.supported:
        return target, f"line {line.name} is not supported" + (
            f" (ended {line.until})" if line.until else "")
    return target, None
