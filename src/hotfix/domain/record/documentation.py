"""Documentation fields: what ``hotfix document`` fills and the ``documented`` close guard reads.

A field is a name (``root_cause``) and free text. ``close.require`` names, per kind, the
fields a record needs before it closes; a ``document`` event sets some of them (its payload
``fields``), a later one overwrites, and a blank value counts as missing. The fields hotfix
knows itself (``KNOWN``: tests, canary, verification, ports, time) are derived from the
record (``known.py``), never typed in.

The editor's template (``render_template``, read back by ``parse_template``) has one
``## name`` heading per field, its text below; lines starting with ``# `` are comments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
FIELD_NAME_RULE = "lower case letters, digits and _, starting with a letter, e.g. root_cause"
KNOWN = ("tests", "canary", "verification", "ports", "time")  # filled in by hotfix
SUGGESTED = ("root_cause", "what_was_fixed", "customer_impact", "follow_ups")
_HEADING = re.compile(r"^##[ \t]+(\S+)[ \t]*$")


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


def render_template(key: str, title: str, required: Sequence[str], fields: Mapping[str, str],
                    known: Mapping[str, str]) -> str:
    """The file ``hotfix document`` opens in ``$EDITOR``: the required fields, the ones
    documented already, or the suggested ones, each a heading with its text; what hotfix
    knows itself as comments at the end."""
    names = list(dict.fromkeys([*required, *fields])) or list(SUGGESTED)
    out = [f"# hotfix document {key}: {_one_line(title)}", "#",
           "# Write each field's text under its '## name' heading. Lines starting with '# '",
           "# are comments and are dropped. A field left empty stays missing; a new heading",
           f"# adds a field ({FIELD_NAME_RULE}).",
           "# Save and close to record what changed; an empty file, or one left as it was,",
           "# records nothing.", ""]
    for name in names:
        out += [f"## {name}"]
        if name in required:
            out += ["# required before close (close.require)"]
        out += ["", *(fields.get(name, "").strip().splitlines()), ""]
    out += ["# Filled in by hotfix from the record (hotfix document --show):", "#"]
    out += [f"# {name}: {_one_line(text)}" for name, text in known.items()]
    return "\n".join(out) + "\n"


def parse_template(text: str) -> dict[str, str]:
    """The fields of an edited template, name → text (blank when left empty)."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line == "#" or line.startswith("# "):
            continue
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1)
            if not is_field_name(name):
                raise UnreadableField(f"line {number}: {name!r} is not a field name "
                                      f"({FIELD_NAME_RULE})")
            if name in fields:
                raise UnreadableField(f"line {number}: the field {name} is there twice")
            current = fields.setdefault(name, [])
        elif current is None:
            if line.strip():
                raise UnreadableField(f"line {number}: text above the first '## name' "
                                      "heading belongs to no field")
        else:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in fields.items()}


def _one_line(text: str) -> str:
    return " ".join(text.split())
