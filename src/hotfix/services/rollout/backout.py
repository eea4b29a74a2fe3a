"""``hotfix backout``: the back-out plan — the release to return to if a deploy goes wrong.

A plan names a release tag that exists, other than the hotfix's own, and proves it
deployable now: one instance of it starts and passes its health check, then stops (a dry
start, ``deploy.backout_dry_start``). A fix that the scope guard flagged as hard to back out
(a file of a kind in ``deploy.irreversible_kinds``: a migration, a stored format) needs an
approver's ``--acknowledge`` of how to back it out. ``hotfix deploy`` refuses a fix so
flagged without that acknowledgement, and, with the ``backout-plan`` guard switched on
(``guards.enable``), any deploy without a plan; an approver may override either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import GuardRefused, HotfixError, UsageError
from hotfix.services.context import Context
from hotfix.services.rollout.deployments import release_commit


@dataclass(frozen=True)
class BackoutPlan:
    record: Hotfix  # after the backout event
    to: str
    commit: str
    dry_start: dict[str, Any] | None
    irreversible: tuple[str, ...]
    acknowledged: str | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "to": self.to, "commit": self.commit,
                "dry_start": self.dry_start, "irreversible": list(self.irreversible),
                "acknowledged": self.acknowledged}


def backout(ctx: Context, key: str, actor: str, to: str,
            acknowledge: str | None = None) -> BackoutPlan:
    """Record ``to`` (a release tag, proved deployable) as the release to return to."""
    rec = ctx.records.get(key)
    commit = release_commit(ctx, to)
    if to == rec.facts.get("tag"):
        raise UsageError(f"{to} is the release of {rec.key} itself; a back-out plan names "
                         "the release to return to", hint=f"e.g. its base: hotfix backout "
                         f"{rec.key} --to {rec.facts.get('base_tag', 'vX.Y.Z')}")
    flagged = irreversible_files(ctx, rec)
    if acknowledge is not None:
        _approver(ctx, actor, "acknowledge how to back a fix out")
    elif flagged:
        raise GuardRefused(_irreversible(rec.key, flagged, to),
                           hint=_acknowledge_hint(rec.key, to))
    dry = _dry_start(ctx, to) if ctx.cfg.bool("deploy.backout_dry_start") else None
    payload: dict[str, Any] = {"to": to, "commit": commit, "dry_start": dry,
                               "irreversible": flagged}
    if acknowledge is not None:
        payload["acknowledged"] = {"by": actor, "how": acknowledge}
    after = ctx.records.act(rec.key, "backout", actor, payload)
    return BackoutPlan(after, to, commit, dry, tuple(flagged), acknowledge)


def irreversible_files(ctx: Context, rec: Hotfix) -> list[str]:
    """The files of the last check that the scope guard flagged as hard to back out."""
    rules = {f"forbidden-kind:{k}" for k in ctx.cfg.list("deploy.irreversible_kinds")}
    scope = (rec.last("check") or {}).get("scope") or {}
    return sorted({str(v.get("file")) for v in scope.get("violations", [])
                   if v.get("rule") in rules and v.get("file")})


def require_reversible(ctx: Context, rec: Hotfix, actor: str,
                       override: str | None) -> list[str]:
    """Before a deploy: a fix flagged as hard to back out needs an acknowledged plan, or an
    approver's override (returns the files it forced past; [] when none was needed)."""
    flagged = irreversible_files(ctx, rec)
    plan = rec.last("backout") or {}
    if not flagged or plan.get("acknowledged"):
        return []
    if override is not None:
        _approver(ctx, actor, "override")
        return flagged
    to = str(plan.get("to") or rec.facts.get("base_tag") or "vX.Y.Z")
    raise GuardRefused(_irreversible(rec.key, flagged, to), hint=_acknowledge_hint(rec.key, to))


def _dry_start(ctx: Context, to: str) -> dict[str, Any]:
    target, began = ctx.rollout.target, ctx.clock.monotonic()
    try:
        started = target.start(to, 1)
    except HotfixError as exc:
        raise type(exc)(f"the back-out release {to} cannot be deployed now: {exc.message}; "
                        "no plan was recorded", hint=exc.hint) from None
    target.stop(started)
    return {"passed": True, "seconds": round(ctx.clock.monotonic() - began, 3),
            "target": target.name}


def _irreversible(key: str, files: list[str], to: str) -> str:
    return (f"{key} changes {', '.join(files)}, which returning to {to} does not undo "
            "(deploy.irreversible_kinds): its back-out plan needs an approver's "
            "acknowledgement of how to back it out")


def _acknowledge_hint(key: str, to: str) -> str:
    return (f"hotfix backout {key} --to {to} --acknowledge \"how: e.g. the down-migration, "
            "or restore the backup\" --as APPROVER")


def _approver(ctx: Context, actor: str, what: str) -> None:
    if actor not in [str(a) for a in ctx.cfg.list("approvals.approvers")]:
        raise GuardRefused(f"{actor} cannot {what}: only approvers can",
                           hint="approvers are listed in hotfix.toml under [approvals] approvers")
