"""Documentation fields: what ``hotfix document`` fills and the ``documented`` close guard reads.

A field is a name (``root_cause``) and free text. ``close.require`` names, per kind, the
fields a record needs before it closes; a ``document`` event sets some of them (its payload
``fields``), a later one overwrites, and a blank value counts as missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
FIELD_NAME_RULE = "lower case letters, digits and _, starting with a letter, e.g. root_cause"


class UnreadableField(ValueError):
    """A ``NAME=VALUE`` item that does not parse; the message says which and why."""


def is_field_name(name: str) -> bool:
    return FIELD_NAME.fullmatch(name) is not None


def parse_fields(items: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` items → ``{name: value}``; a later item for the same name wins."""
    fields: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise UnreadableField(f"{item!r} has no '=': write NAME=VALUE")
        if not is_field_name(name):
            raise UnreadableField(f"{name!r} is not a field name ({FIELD_NAME_RULE})")
        fields[name] = value
    return fields


def document_command(key: str, names: Sequence[str]) -> str:
    """The command that fills ``names`` on record ``key``."""
    fields = " ".join(f'--field {name}="…"' for name in names)
    return f"hotfix document {key} {fields}"
