"""Choosing a version and a backend for one request, from the live split.

Without a request key every request draws at random by weight. With a key (a header or
cookie) the key's hash picks a fixed point in [0, 1): versions take consecutive slices of
that interval in name order, so when the canary's weight grows, users only move onto the
canary, never back and forth.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator

from hotfix.ports import Split


class Chooser:
    def __init__(self, split: Split) -> None:
        self.split = split
        live = [(v, w) for v, w in sorted(split.weights.items())
                if w > 0 and split.backends.get(v)]
        total = sum(w for _, w in live)
        self._slices = []  # (upper bound in [0, 1], version)
        acc = 0.0
        for version, weight in live:
            acc += weight / total
            self._slices.append((acc, version))
        self._cycles: dict[str, Iterator[str]] = {
            v: itertools.cycle(split.backends[v]) for v, _ in live}

    def version(self, key: str | None) -> str | None:
        if not self._slices:
            return None
        point = _hash_point(key) if key else random.random()
        for upper, version in self._slices:
            if point < upper:
                return version
        return self._slices[-1][1]

    def backend(self, version: str) -> str:
        return next(self._cycles[version])


def _hash_point(key: str) -> float:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def cookie_value(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value
    return None
