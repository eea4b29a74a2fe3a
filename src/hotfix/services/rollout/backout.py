"""``hotfix backout``: the back-out plan — the release to return to if a deploy goes wrong.

The ``backout-plan`` guard (switched on with ``guards.enable``) refuses a deploy until the
record has one. The release must be a release tag that exists, other than the hotfix's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import NotFound, UsageError
from hotfix.services.context import Context
from hotfix.services.git.lines import tag_pattern


@dataclass(frozen=True)
class BackoutPlan:
    record: Hotfix  # after the backout event
    to: str
    commit: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "to": self.to, "commit": self.commit}


def backout(ctx: Context, key: str, actor: str, to: str) -> BackoutPlan:
    """Record ``to`` (a release tag) as the release to return to."""
    rec = ctx.records.get(key)
    if tag_pattern(ctx.cfg).parse(to) is None:
        raise UsageError(f"{to!r} is not a release tag (lines.tag_pattern)",
                         hint="see the releases of each line: hotfix lines")
    commit = ctx.git.tag_commit(to)
    if commit is None:
        raise NotFound(f"there is no release tag {to}", hint="see the releases: hotfix lines")
    if to == rec.facts.get("tag"):
        raise UsageError(f"{to} is the release of {rec.key} itself; a back-out plan names "
                         "the release to return to", hint=f"e.g. its base: hotfix backout "
                         f"{rec.key} --to {rec.facts.get('base_tag', 'vX.Y.Z')}")
    after = ctx.records.act(rec.key, "backout", actor, {"to": to, "commit": commit})
    return BackoutPlan(after, to, commit)
