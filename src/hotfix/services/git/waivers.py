"""``hotfix audit waive``: record that a release line does not need a commit.

A waiver is a decision, so it is kept as a record, never in the cache: as an
``audit_waive`` event on the hotfix it belongs to (``--hotfix HF-N``), or else in the
``waivers`` table. The audit reads both.
"""

from __future__ import annotations

from hotfix.domain.audit.equivalence import Waiver
from hotfix.errors import UsageError
from hotfix.services.context import Context
from hotfix.services.git.audit import resolve, select_lines

WAIVE_EVENT = "audit_waive"


def waive(ctx: Context, rev: str, line: str, reason: str, actor: str,
          hotfix: str | None = None) -> Waiver:
    """Record that ``line`` does not need the commit ``rev``."""
    if not reason.strip():
        raise UsageError("a waiver needs a reason",
                         hint=f'hotfix audit waive {rev} --line {line} --reason "why"')
    sha = resolve(ctx.git, rev)
    select_lines(ctx, [line])  # a line that exists (a clear error otherwise)
    if hotfix is None:
        return ctx.waivers.add(Waiver(sha, line, reason.strip(), actor, ctx.now()))
    rec = ctx.records.act(hotfix, WAIVE_EVENT, actor,
                     {"sha": sha, "line": line, "reason": reason.strip()})
    return Waiver(sha, line, reason.strip(), actor, ctx.now(),
                  hotfix=rec.number)


def all_waivers(ctx: Context) -> list[Waiver]:
    """Every waiver: the table's, then those recorded on hotfixes, oldest first."""
    found = ctx.waivers.all()
    for rec in ctx.records.list():
        found += [Waiver(str(e.payload["sha"]), str(e.payload["line"]),
                         str(e.payload["reason"]), e.actor, e.at, hotfix=rec.number)
                  for e in rec.events if e.kind == WAIVE_EVENT]
    return found
