"""API tokens as stored: only the SHA-256 of the secret, compared in constant time.

A token is ``hfx_`` + 32 random bytes (URL-safe base64); the server keeps its hash, never the
secret, so a copy of the database lets nobody in. Minting needs randomness and lives with
the identity service; hashing and comparing are pure and live here."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

PREFIX = "hfx_"
SECRET_BYTES = 32
_SHAPE = re.compile(r"hfx_[A-Za-z0-9_-]{43}")
_DURATION = re.compile(r"([0-9]{1,5})([hdw])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def well_formed(secret: str) -> bool:
    return bool(_SHAPE.fullmatch(secret))


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def parse_lifetime(text: str) -> timedelta:
    """``12h``, ``30d``, ``2w`` → the token's lifetime; ValueError for anything else."""
    match = _DURATION.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a lifetime: give hours, days or weeks, e.g. 30d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def usable(expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> bool:
    return revoked_at is None and (expires_at is None or now < expires_at)
