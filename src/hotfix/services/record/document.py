"""``hotfix document``: fill documentation fields, the ones ``close.require`` asks for.

A ``document`` event sets the fields it names (a later one overwrites; a blank value counts
as missing). It changes no state: the close guard ``documented`` reads the fields. The
fields come as ``--field`` flags or from the editor's template (``template`` →
``from_template``: only what changed is recorded; an empty or unchanged file records
nothing). What hotfix knows itself (``domain.record.known``) is shown, never set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.documentation import (
    FIELD_NAME_RULE,
    KNOWN,
    UnreadableField,
    document_command,
    is_field_name,
    parse_template,
    render_template,
)
from hotfix.domain.record.known import known_fields
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.domain.record.timing import time_report
from hotfix.errors import UsageError
from hotfix.services.context import Context


@dataclass(frozen=True)
class Documented:
    record: Hotfix  # after the document event
    fields: Mapping[str, str]  # what this event set

    @property
    def missing(self) -> tuple[str, ...]:
        """The fields ``close.require`` asks of this record's kind, still empty."""
        return self.record.missing_documentation()

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "documented": dict(self.fields),
                "documentation": dict(self.record.documentation), "missing": list(self.missing)}


@dataclass(frozen=True)
class Documentation:
    """What ``hotfix document --show`` shows: the fields, the required ones, what is known."""

    record: Hotfix
    required: tuple[str, ...]
    known: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "required": list(self.required),
                "missing": list(self.record.missing_documentation()),
                "documentation": dict(self.record.documentation), "known": dict(self.known)}


def document(ctx: Context, key: str, actor: str, fields: Mapping[str, str]) -> Documented:
    """Record ``fields`` (name → text) on the hotfix."""
    if not fields:
        missing = ctx.records.get(key).missing_documentation() or ("root_cause",)
        raise UsageError("nothing to document: give at least one --field NAME=VALUE",
                         hint=document_command(key.upper(), missing))
    check_fields(key, fields)
    rec = ctx.records.act(key, "document", actor, {"fields": dict(fields)})
    return Documented(rec, dict(fields))


def check_fields(key: str, fields: Mapping[str, Any]) -> None:
    """``UsageError`` for a field name that is not one, or a field hotfix fills in itself
    from the record (the CLI's service and the team server's API both check this)."""
    bad = [name for name in fields if not is_field_name(str(name))]
    if bad:
        raise UsageError(f"{bad[0]!r} is not a field name ({FIELD_NAME_RULE})")
    known = [name for name in fields if name in KNOWN]
    if known:
        raise UsageError(f"{known[0]!r} is filled in by hotfix from the record; it is not "
                         "written by hand",
                         hint=f"see it: hotfix document {key.upper()} --show; add your own "
                              "words in a field of their own, e.g. --field notes=\"…\"")


def show(ctx: Context, key: str) -> Documentation:
    rec = ctx.records.get(key)
    return Documentation(rec, rec.settings.required_fields(rec.kind),
                         known_fields(rec, time_report(rec, ctx.now())))


def template(ctx: Context, key: str) -> str:
    """The editor's template of ``key``: its fields as headings, what is known as comments."""
    view = show(ctx, key)
    rec = view.record
    return render_template(rec.key, rec.title, view.required, rec.documentation, view.known)


def from_template(ctx: Context, key: str, actor: str, before: str,
                  after: str) -> Documented:
    """Record what the edit of the template ``before`` into ``after`` changed."""
    if not after.strip() or after == before:
        raise UsageError(f"nothing recorded: the editor left the template "
                         f"{'empty' if not after.strip() else 'unchanged'}",
                         hint=f"write under the headings and save, or pass the fields: "
                              f"hotfix document {key.upper()} --field root_cause=\"…\"")
    try:
        fields = parse_template(after)
    except UnreadableField as exc:
        raise UsageError(f"the edited template does not read: {exc}",
                         hint="each field is a heading '## name' with its text below") from None
    rec = ctx.records.get(key)
    changed = {name: text for name, text in fields.items()
               if text != rec.documentation.get(name, "").strip()}
    if not changed:
        raise UsageError("nothing recorded: no field changed",
                         hint=f"see the fields: hotfix document {rec.key} --show")
    return document(ctx, key, actor, changed)
