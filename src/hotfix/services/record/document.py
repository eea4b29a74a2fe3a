"""``hotfix document``: fill documentation fields, the ones ``close.require`` asks for.

A ``document`` event sets the fields it names (a later one overwrites; a blank value counts
as missing). It changes no state: the close guard ``documented`` reads the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.domain.record.documentation import (
    FIELD_NAME_RULE,
    document_command,
    is_field_name,
)
from hotfix.domain.record.lifecycle import Hotfix
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


def document(ctx: Context, key: str, actor: str, fields: Mapping[str, str]) -> Documented:
    """Record ``fields`` (name → text) on the hotfix."""
    if not fields:
        missing = ctx.records.get(key).missing_documentation() or ("root_cause",)
        raise UsageError("nothing to document: give at least one --field NAME=VALUE",
                         hint=document_command(key.upper(), missing))
    bad = [name for name in fields if not is_field_name(name)]
    if bad:
        raise UsageError(f"{bad[0]!r} is not a field name ({FIELD_NAME_RULE})")
    rec = ctx.records.act(key, "document", actor, {"fields": dict(fields)})
    return Documented(rec, dict(fields))
