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


_AS = re.compile(r" --as ([^\s\"']+)")
_PLACEHOLDERS = {"OTHER@EXAMPLE.COM": "another person"}


def signed_in(text: str) -> str:
    """A command hint for someone signed in to the team server, where who acts is their
    token and ``--as`` is refused: ``hotfix approve HF-1 --as APPROVER`` →
    ``hotfix approve HF-1 (signed in as an approver)``."""

    def who(found: re.Match[str]) -> str:
        name = found[1]
        if name in _PLACEHOLDERS:
            return f" (signed in as {_PLACEHOLDERS[name]})"
        if name.isupper():
            role = name.lower()
            return f" (signed in as {'an' if role[0] in 'aeiou' else 'a'} {role})"
        return f" (signed in as {name})"

    return _AS.sub(who, text)
