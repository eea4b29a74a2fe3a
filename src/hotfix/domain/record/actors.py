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


def person(actor: str) -> str:
    """The form people are compared in: trimmed, lower-case (``Lee@Shop.example `` is
    ``lee@shop.example``)."""
    return actor.strip().lower()


def same_person(a: str, b: str) -> bool:
    return person(a) == person(b)
