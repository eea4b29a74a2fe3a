"""Who acts on a record: a person, named by their email."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def actor_problem(actor: str) -> str | None:
    """What is wrong with ``actor`` as the name of who acts, or None when it is an email."""
    if not actor.strip():
        return "the actor is empty"
    if not _EMAIL.fullmatch(actor.strip()):
        return f"the actor {actor!r} is not an email"
    return None
