"""``hotfix backport``: port the fix to every newer supported line and to main.

Targets go oldest → newest → main, each in its own worktree. A conflict (or any failure)
on one target never drops the others: every target gets a status — ported, conflict,
already present, skipped or failed — recorded on the hotfix, and the result says whether
any failed. Running it again resumes the targets that did not finish.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.adapters.git import history, refs, release_files
from hotfix.domain.journal import backport_targets
from hotfix.domain.lifecycle import Hotfix
from hotfix.domain.release_lines import ReleaseLine, find_line
from hotfix.domain.versions import line_key, parse_line
from hotfix.errors import HotfixError, UsageError
from hotfix.services import lines as lines_svc
from hotfix.services import record
from hotfix.services.context import Context
from hotfix.services.gitwork import Work, guard, journal, release_paths, work_of
from hotfix.services.porting import (
    CONFLICT,
    FAILED,
    PORTED,
    PRESENT,
    SKIPPED,
    Target,
    TargetResult,
    port,
)


@dataclass
class BackportResult:
    key: str
    targets: list[TargetResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(t.status in (CONFLICT, FAILED) for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.key, "failed": self.failed,
                "targets": [t.to_dict() for t in self.targets]}


def backport(ctx: Context, key: str, actor: str,
             targets: Sequence[str] | None = None) -> BackportResult:
    """Port the released fix to each target; one target's failure never stops the others."""
    rec = record.get(ctx, key)
    guard(ctx, rec, "backport", actor)
    work = work_of(rec)
    fixes = _fixes(ctx, rec, work)
    plan = _targets(ctx, work, targets)
    journal(ctx, rec.key, actor, "backport", "begin", targets=[t.name for t, _ in plan])
    prior = backport_targets(rec.events)
    result = BackportResult(rec.key)
    for target, skip_reason in plan:
        outcome = _one(ctx, rec, work, target, skip_reason, fixes,
                       prior[target.name].detail if target.name in prior else None)
        journal(ctx, rec.key, actor, "backport", "target", **outcome.to_dict())
        result.targets.append(outcome)
    mainline = ctx.cfg.str("lines.mainline")
    main_ok = any(t.target == mainline and t.status in (PORTED, PRESENT) for t in result.targets)
    summary = {t.target: t.status for t in result.targets}
    record.act(ctx, rec.key, "backport", actor, {
        "targets": [t.to_dict() for t in result.targets], "main_ported": main_ok,
        "facts": {"backport": summary}})
    return result


def _one(ctx: Context, rec: Hotfix, work: Work, target: Target, skip_reason: str | None,
         fixes: list[history.Commit], prior: Any) -> TargetResult:
    if skip_reason:
        return TargetResult(target.name, SKIPPED, message=skip_reason)
    if _done_before(ctx, prior):
        return TargetResult(target.name, str(prior["status"]), prior.get("branch"),
                            prior.get("worktree"), list(prior.get("commits", [])),
                            message="done by an earlier run")
    if not fixes:
        return TargetResult(target.name, PRESENT, message="the hotfix has no fix commits")
    try:
        return port(ctx, rec.key, target, fixes, work.base_tag, prior)
    except HotfixError as exc:
        return TargetResult(target.name, FAILED, message=f"{exc.message} ({exc.hint or ''})")


def _done_before(ctx: Context, prior: Any) -> bool:
    if not prior or prior.get("status") not in (PORTED, PRESENT):
        return False
    return prior["status"] == PRESENT or refs.branch_exists(ctx.root, str(prior["branch"]))


def _fixes(ctx: Context, rec: Hotfix, work: Work) -> list[history.Commit]:
    """The hotfix's fix commits, without release-only ones (version bump, notes)."""
    released = rec.last("release")
    head = str(released["commit"]) if released else refs.require_commit(ctx.root, work.branch)
    release = release_paths(ctx, ctx.root) | {ctx.cfg.str("lines.changelog")}
    return [c for c in history.commits(ctx.root, f"{work.base_tag}..{head}")
            if not release_files.is_release_only(history.changed_files(ctx.root, c.sha),
                                                 release)]


def _targets(ctx: Context, work: Work,
             wanted: Sequence[str] | None) -> list[tuple[Target, str | None]]:
    """(target, reason to skip it or None), oldest line → newest → main."""
    mainline = ctx.cfg.str("lines.mainline")
    found = lines_svc.discover_lines(ctx.root, ctx.cfg)
    if wanted is None:
        names = [x.name for x in found if x.supported and x.tip
                 and line_key(x.name) > line_key(work.line)] + [mainline]
    else:
        names = _checked_names(wanted, mainline, found)
    names.sort(key=lambda n: (n == mainline, line_key(n) if n != mainline else (0, 0)))
    plan: list[tuple[Target, str | None]] = []
    for name in names:
        if name == mainline:
            plan.append((Target(name, lines_svc.mainline_ref(ctx.root, ctx.cfg)), None))
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
        return target, f"{line.name} is the hotfix's own line (released as {work.tag})"
    if not line.supported:
        return target, f"line {line.name} is not supported" + (
            f" (ended {line.until})" if line.until else "")
    return target, None
