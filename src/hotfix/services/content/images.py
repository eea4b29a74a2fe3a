"""The uploaded images no record names any more, listed and (on request) removed.

An image is named by an event when any string of its payload mentions
``/content/v1/images/NAME`` (``hotfix.domain.content.images.referenced``): a draft's image
slot, live or reverted long ago, so a revert or a "Back to HF-M" always finds its image.
An image kept within the grace period is left alone too, whoever names it: its draft may be
being written right now (the file is kept just before its draft event), and keeping the
same bytes again starts the grace period over."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotfix.domain.content.images import referenced
from hotfix.ports.content import ContentImages, Pruned
from hotfix.ports.record import Records

GRACE = timedelta(hours=1)  # an upload in flight is written well within this


def named(records: Records) -> set[str]:
    """Every image name any event of any record mentions."""
    found: set[str] = set()
    for record in records.list():
        for event in record.events:
            found |= referenced(event.payload)
    return found


def prune(images: ContentImages, records: Records, now: datetime, *, apply: bool,
          grace: timedelta = GRACE) -> Pruned:
    """The kept images no event names, kept before ``now - grace``; removed when
    ``apply`` (an image kept again meanwhile stays)."""
    names = named(records)
    before = now - grace
    stored = images.stored()
    loose = [s for s in stored if s.facts.name not in names]
    old = tuple(s for s in loose if s.at < before)
    if apply:
        gone = set(images.remove([s.facts.name for s in old], before))
        old = tuple(s for s in old if s.facts.name in gone)
    return Pruned(old, len(stored) - len(loose), len(loose) - len(old), apply)
