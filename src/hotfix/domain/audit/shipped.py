"""Is a fix shipped in a release? Its tag's history and its tree, decided together.

History says which carriers of the fix (the fix, its ports) a tag's history has and which
of their reverts, in the order of the history: the fix is *live* there when the newest of
them is a carrier (a fix and the merge that brought it are one change, not two: a revert
after both undoes it); the tree says, hunk by hunk, whether the fix's patch — and each carrier's
own patch, for a port that had to be adapted — is applied in the tag's files
(``hotfix.domain.audit.presence``). In this order:

1. the fix's patch applied in the tree: **present**, by ``history+tree`` when the history
   has a carrier not reverted since, else by ``other-means`` (re-done by hand, squashed
   without a trailer, re-applied after a revert) — then only when the tree is
   *decisive*: more hunks told (applied or absent) than not, as one common line a later
   change added again must not outweigh a revert the history names;
2. the fix's patch partly applied, partly absent: **partial** (a pick whose conflicts were
   resolved another way, a revert of a part), decisive too without a live carrier;
3. a carrier in the history, not reverted since: its own patch applied — **present**,
   ``history+tree``; partly — **partial**; the code moved on so the tree cannot tell —
   **present**, ``history``; absent from the tree — **absent**, ``removed`` (undone
   without a revert git could name);
4. the newest carrier or revert in the history is a revert: **absent**, ``reverted``;
5. nothing in the history: another carrier's own patch applied — **present**,
   ``other-means``; else **absent**.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hotfix.domain.audit.presence import Presence, Tally


class State(Enum):
    PRESENT = "present"
    PARTIAL = "partial"
    ABSENT = "absent"


class How(Enum):
    HISTORY_AND_TREE = "history+tree"
    HISTORY = "history"
    OTHER_MEANS = "other-means"
    PARTIAL = "partial"
    REVERTED = "reverted"
    REMOVED = "removed"
    ABSENT = "absent"


@dataclass(frozen=True)
class TagEvidence:
    """What one release tag has of a fix."""

    tag: str
    history: Sequence[tuple[str, bool]]  # carriers and reverts (True) in it, oldest first
    fix: Tally  # the fix's own patch (every commit of it) against the tag's tree
    own: Mapping[str, Tally] = field(default_factory=dict)  # carrier → its patch there

    @property
    def carried(self) -> list[str]:
        return [sha for sha, revert in self.history if not revert]

    @property
    def reverts(self) -> list[str]:
        return [sha for sha, revert in self.history if revert]

    @property
    def live(self) -> bool:
        """The newest carrier or revert in the history is a carrier."""
        return bool(self.history) and not self.history[-1][1]


@dataclass(frozen=True)
class Shipped:
    tag: str
    state: State
    how: How
    commit: str | None  # the carrier (or the revert) that decided it
    hunks: Tally

    def to_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "state": self.state.value, "how": self.how.value,
                "commit": self.commit, "hunks": self.hunks.to_dict()}


def judge(e: TagEvidence) -> Shipped:
    """Whether the fix is shipped in ``e.tag`` (see the module docstring)."""
    live = e.live
    last = e.carried[-1] if e.carried else None
    fix = e.fix.presence if live or e.fix.decisive else Presence.UNKNOWN
    if fix is Presence.APPLIED:
        return Shipped(e.tag, State.PRESENT,
                       How.HISTORY_AND_TREE if live else How.OTHER_MEANS,
                       last if live else None, e.fix)
    if fix is Presence.PARTIAL:
        return Shipped(e.tag, State.PARTIAL, How.PARTIAL, last, e.fix)
    if live:
        return _by_carriers(e)
    if e.carried:
        return Shipped(e.tag, State.ABSENT, How.REVERTED, e.reverts[-1], e.fix)
    for sha, own in e.own.items():
        if own.presence is Presence.APPLIED and own.decisive:
            return Shipped(e.tag, State.PRESENT, How.OTHER_MEANS, sha, own)
    return Shipped(e.tag, State.ABSENT, How.ABSENT, None, e.fix)


def _by_carriers(e: TagEvidence) -> Shipped:
    """Rule 3: the history has a live carrier; its own patch says what the tree holds."""
    seen = {sha: e.own.get(sha, e.fix) for sha in reversed(e.carried)}
    for wanted, state, how in ((Presence.APPLIED, State.PRESENT, How.HISTORY_AND_TREE),
                               (Presence.PARTIAL, State.PARTIAL, How.PARTIAL),
                               (Presence.UNKNOWN, State.PRESENT, How.HISTORY)):
        for sha, tally in seen.items():
            if tally.presence is wanted:
                return Shipped(e.tag, state, how, sha, tally)
    return Shipped(e.tag, State.ABSENT, How.REMOVED, e.carried[-1], e.fix)
