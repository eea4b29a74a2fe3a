"""Witnessing the record outside the database: checkpoints of each record's chain head in
git (``refs/hotfix/anchor/``), pushed with the release or on ``hotfix anchor --push``, and
the checks that compare the database with them.

What it proves and what it cannot is in docs/security.md: in local mode the user owns both
the database and the repository, so the witness that counts is the one already pushed to a
remote that refuses non-fast-forward updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.anchor import Checkpoint, disagreement, next_checkpoint, parse
from hotfix.domain.record.events import verify_chain
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import ChainBroken, GitError
from hotfix.services.context import Context


@dataclass(frozen=True)
class AnchorReport:
    """What ``hotfix anchor`` did: checkpoints written, pushed, and what disagrees."""

    written: list[Checkpoint] = field(default_factory=list)
    checked: int = 0  # anchors compared with the database
    problems: list[str] = field(default_factory=list)
    pushed_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"written": [c.to_dict() for c in self.written], "checked": self.checked,
                "problems": self.problems, "pushed_to": self.pushed_to,
                "ok": not self.problems}


def record_problems(ctx: Context, rec: Hotfix) -> list[str]:
    """What is wrong with one record's chain or against its anchor: the cheap check every
    read of a record makes (one git read, the record's own hashes)."""
    chain = verify_chain(list(rec.events))
    return ([] if chain.ok else [f"{rec.key}: {chain.problem}"]) + anchor_problems(ctx, rec)


def anchor_problems(ctx: Context, rec: Hotfix) -> list[str]:
    """What the record's anchor, and the team server's signatures when it is on one,
    contradict in the database's events of it."""
    text = ctx.git.anchor(rec.key)
    found = [] if text is None else _against(rec.key, text, list(rec.events))
    return found + ctx.records.witness_problems([rec.key])


def problems(ctx: Context, records: Sequence[Hotfix] | None = None) -> tuple[int, list[str]]:
    """(anchors checked, what disagrees) over every record and every anchor: a broken chain,
    a record re-hashed or cut after its checkpoint, a checkpointed record that is gone, and
    what the team server's signatures contradict."""
    records = list(ctx.records.list()) if records is None else list(records)
    events = {r.key: list(r.events) for r in records}
    found = []
    for rec in records:
        chain = verify_chain(events[rec.key])
        if not chain.ok:
            found.append(f"{rec.key}: {chain.problem}")
    anchors = ctx.git.anchors()
    for key, text in sorted(anchors.items(), key=lambda kv: _order(kv[0])):
        found.extend(_against(key, text, events.get(key)))
    return len(anchors), found + ctx.records.witness_problems()


def checkpoint(ctx: Context, keys: Sequence[str] | None = None) -> AnchorReport:
    """Checkpoint the heads of ``keys`` (every record when None). A record whose chain is
    broken, or that contradicts its previous checkpoint, is never witnessed: that would
    bless the tampering; ``ChainBroken`` names it."""
    records = [ctx.records.get(k) for k in keys] if keys else list(ctx.records.list())
    written = []
    for rec in records:
        bad = record_problems(ctx, rec)
        if bad:
            raise ChainBroken(f"not checkpointing {rec.key}: {bad[0]}",
                              hint="restore the database from a backup (hotfix db restore); "
                                   "docs/security.md says what each finding means")
        if not rec.events:
            continue
        previous = ctx.git.anchor(rec.key)
        point = next_checkpoint(rec.key, list(rec.events),
                                None if previous is None else parse(previous))
        if previous is not None and parse(previous).seq == point.seq:
            continue  # nothing new since the last checkpoint
        if ctx.git.write_anchor(rec.key, point.render(),
                                f"hotfix: anchor {rec.key} at event {point.seq}"):
            written.append(point)
    return AnchorReport(written=written, checked=len(records))


def push(ctx: Context, remote: str, keys: Sequence[str] | None = None) -> list[str]:
    """Push the anchors of ``keys`` (all when None) to ``remote``, never forced; the
    refspecs pushed."""
    if not ctx.git.has_remote(remote):
        raise GitError(f"no remote {remote!r} to push the anchors to",
                       hint="add one (git remote add origin URL) or pass --remote NAME")
    specs = ctx.git.anchor_refspecs(keys)
    if not specs:
        return []
    refusal = ctx.git.push_atomic(remote, specs)
    if refusal is not None:
        raise GitError(f"{remote} refused the anchors: {refusal}",
                       hint="the remote's anchors are not an ancestor of these: someone "
                            "checkpointed a different history. Compare with "
                            f"`git fetch {remote} 'refs/hotfix/anchor/*:refs/hotfix/remote-"
                            "anchor/*'` before doing anything else")
    return specs


def _against(key: str, text: str, events: list[Any] | None) -> list[str]:
    try:
        point = parse(text)
    except ValueError as exc:
        return [f"the anchor of {key} is unreadable ({exc})"]
    problem = disagreement(point, events)
    return [] if problem is None else [problem]


def _order(key: str) -> tuple[int, str]:
    digits = key.rpartition("-")[2]
    return (int(digits), key) if digits.isdigit() else (0, key)
