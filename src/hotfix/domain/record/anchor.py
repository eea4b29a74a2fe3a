"""The anchor: a record's chain head witnessed outside the database.

A checkpoint says "HF-1 had event 7, with hash H, when checkpoint 3 was written". Because
each event's hash covers the one before it, matching the checkpointed event proves every
event up to it unchanged; events after it are newer than the witness and are checked by
the chain alone. The checkpoint's text is what is stored (in git, under ``refs/hotfix/``);
this module renders it, parses it and compares it with the events the database holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotfix.domain.record.events import Event

_LINE = re.compile(r"^([a-z]+) (\S+)$")
FORMAT = "hotfix-anchor 1"


@dataclass(frozen=True)
class Checkpoint:
    key: str  # HF-1
    seq: int  # the newest event witnessed
    hash: str  # its hash
    generation: int  # 1 for the record's first checkpoint, then 2, …

    def render(self) -> str:
        return (f"{FORMAT}\nrecord {self.key}\nseq {self.seq}\nhash {self.hash}\n"
                f"checkpoint {self.generation}\n")

    def to_dict(self) -> dict[str, object]:
        return {"id": self.key, "seq": self.seq, "hash": self.hash,
                "checkpoint": self.generation}


def parse(text: str) -> Checkpoint:
    """The checkpoint ``text`` holds; ``ValueError`` naming what is wrong with it."""
    lines = text.splitlines()
    if not lines or lines[0] != FORMAT:
        raise ValueError(f"not a hotfix anchor (first line {lines[0] if lines else ''!r})")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        found = _LINE.match(line)
        if found is None:
            raise ValueError(f"unreadable anchor line {line!r}")
        fields[found[1]] = found[2]
    try:
        return Checkpoint(fields["record"], int(fields["seq"]), fields["hash"],
                          int(fields["checkpoint"]))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"incomplete anchor: {exc}") from None


def next_checkpoint(key: str, events: list[Event], previous: Checkpoint | None) -> Checkpoint:
    """The checkpoint of ``events`` as they are now, following ``previous``."""
    last = events[-1]
    return Checkpoint(key, last.seq, last.hash, 1 if previous is None else
                      previous.generation + 1)


def disagreement(checkpoint: Checkpoint, events: list[Event] | None) -> str | None:
    """What the database's ``events`` of the record contradict in ``checkpoint``, or None.

    ``events`` is None when the database has no such record."""
    where = f"checkpoint {checkpoint.generation}"
    if events is None:
        return (f"{checkpoint.key} is missing: {where} witnessed it with "
                f"{checkpoint.seq} event(s), the database has no such record")
    if len(events) < checkpoint.seq:
        return (f"{checkpoint.key} lost events: {where} witnessed {checkpoint.seq}, the "
                f"database holds {len(events)}")
    event = events[checkpoint.seq - 1]
    if event.seq != checkpoint.seq or event.hash != checkpoint.hash:
        return (f"{checkpoint.key} was re-hashed after {where}: event {checkpoint.seq} "
                f"({event.kind}) is not the one witnessed")
    return None
