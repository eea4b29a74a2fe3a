"""The percentage split, sticky on the targeting key.

A key's bucket (0–9999) is a hash of the flag's key and the targeting key, so it never
changes; the split gives each variant a run of buckets in its order. Raising the first
variant's percentage only lengthens its run: a user in it stays in it."""

from __future__ import annotations

import hashlib

BUCKETS = 10_000


def bucket(flag: str, targeting_key: str) -> int:
    digest = hashlib.sha256(f"{flag}\x00{targeting_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def assign(flag: str, targeting_key: str, split: tuple[tuple[str, int], ...]) -> str:
    """The variant of ``split`` (percentages summing to 100) the key's bucket falls in."""
    at = bucket(flag, targeting_key)
    edge = 0
    for variant, percentage in split:
        edge += percentage * BUCKETS // 100
        if at < edge:
            return variant
    return split[-1][0]
